// How a route answers when Shopify does not give data: throttled → the retry signal;
// token rejected (401/403) → bad request with the status; anything else → 502.
// No answer carries the token (none of these outcomes holds it).
import { api } from "@backfill-io/sdk";
import type { AdminResult } from "./admin-api.js";

export function providerFailureResponse(result: Exclude<AdminResult<unknown>, { kind: "data" }>, stream?: string): Response {
  const where = stream ? { stream } : {};
  switch (result.kind) {
    case "throttled":
      return api.retryAfter(result.retryAfterSeconds, "Shopify throttled the request", where);
    case "auth_failed":
      return api.badRequest("Shopify rejected the OAuth token", { status: result.status, ...where });
    case "failed":
      return api.error("Shopify request failed", { status: 502, code: "provider_error", details: { status: result.status, messages: result.messages, ...where } });
  }
}
