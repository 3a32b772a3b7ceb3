// How a route answers when Shopify does not give data. No answer carries the token
// (none of these outcomes holds it).
// - throttled → the retry signal, so the host waits;
// - token rejected during a sync: 401 → reauth_required (revoked: the merchant uninstalled
//   the app or the token was revoked), 403 → reauth_required (missing_scopes). The host
//   stops the run and marks the connection, instead of failing it again and again;
// - token rejected while validating the connection (setup) → bad request with the status,
//   as the guide's test_connection answers;
// - anything else → 502.
import { api } from "@backfill-io/sdk";
import { missingProviderAccessResponse } from "@backfill-io/oauth-helpers";
import type { AdminResult } from "./admin-api.js";

type Failure = Exclude<AdminResult<unknown>, { kind: "data" }>;

export function providerFailureResponse(result: Failure, stream?: string, opts: { tokenRejected?: "reauth" | "bad_request" } = {}): Response {
  const where = stream ? { stream } : {};
  switch (result.kind) {
    case "throttled":
      return api.retryAfter(result.retryAfterSeconds, "Shopify throttled the request", where);
    case "auth_failed":
      if ((opts.tokenRejected ?? "reauth") === "bad_request") return api.badRequest("Shopify rejected the OAuth token", { status: result.status, ...where });
      return missingProviderAccessResponse(result.status === 403 ? "missing_scopes" : "revoked");
    case "failed":
      return api.error("Shopify request failed", { status: 502, code: "provider_error", details: { status: result.status, messages: result.messages, ...where } });
  }
}
