// How a failed Square call becomes a route response, the same in every sync route:
// throttling → the retry signal; a token Square no longer accepts → reauth_required;
// anything else Square reports → 502 with Square's error entries (never a token).
import { api, isReauthRequired, log } from "@backfill-io/sdk";
import { missingProviderAccessResponse } from "@backfill-io/oauth-helpers";
import { isSquareApiError } from "./square-errors.js";

export function squareFailureResponse(error: unknown, stream: string): Response {
  if (isReauthRequired(error)) return missingProviderAccessResponse(error);
  if (!isSquareApiError(error)) throw error;
  if (error.kind === "rate_limited") {
    log.warn("square rate limited", { stream, retryAfterSeconds: error.retryAfterSeconds });
    return api.retryAfter(error.retryAfterSeconds ?? 1, "Square rate limit (RATE_LIMITED)", { stream });
  }
  if (error.kind === "unauthorized") {
    // ACCESS_TOKEN_EXPIRED / ACCESS_TOKEN_REVOKED / UNAUTHORIZED: the seller must reconnect.
    log.warn("square rejected the access token", { stream, ...error.toDetails() });
    return missingProviderAccessResponse(error.hasCode("ACCESS_TOKEN_EXPIRED") ? "expired" : "revoked");
  }
  if (error.kind === "forbidden" && error.hasCode("INSUFFICIENT_SCOPES")) {
    log.warn("square token lacks scopes", { stream, ...error.toDetails() });
    return missingProviderAccessResponse("missing_scopes");
  }
  log.error("square request failed", { stream, ...error.toDetails() });
  return api.error(error.message, { status: 502, code: "provider_error", details: { stream, ...error.toDetails() } });
}
