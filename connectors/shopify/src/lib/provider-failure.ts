// A Shopify Admin outcome that is not data (admin-api.ts), as the shared provider-failure
// model: routes answer it through oauth-helpers' one mapping (throttled → retry signal;
// 401 → reauth_required revoked; 403 → reauth_required missing_scopes, the uninstalled app
// or a token without the scope; else 502 provider_error). No outcome holds the token.
import { providerFailureResponse, type FailureResponseOptions, type ProviderFailure } from "@backfill-io/oauth-helpers";
import type { AdminFailure } from "./follow-ups.js";

export function shopifyFailure(result: AdminFailure): ProviderFailure {
  switch (result.kind) {
    case "throttled":
      return { kind: "throttled", retryAfterSeconds: result.retryAfterSeconds, message: "Shopify throttled the request" };
    case "auth_failed":
      return result.status === 403
        ? { kind: "scopes_missing", message: "Shopify rejected the OAuth token", details: { status: result.status } }
        : { kind: "token_rejected", reason: "revoked", message: "Shopify rejected the OAuth token", details: { status: result.status } };
    case "failed":
      return { kind: "failed", status: result.status, message: "Shopify request failed", details: { status: result.status, messages: result.messages } };
  }
}

/** The route's answer to a Shopify failure. */
export function shopifyFailureResponse(result: AdminFailure, stream?: string, opts: Omit<FailureResponseOptions, "stream"> = {}): Response {
  return providerFailureResponse(shopifyFailure(result), { ...opts, ...(stream ? { stream } : {}) });
}
