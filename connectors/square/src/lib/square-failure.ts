// A failed Square call (SquareApiError) as the shared provider-failure model: the stream
// engine, the webhook and setup all answer it through oauth-helpers' one mapping.
import type { ProviderFailure } from "@backfill-io/oauth-helpers";
import { isSquareApiError } from "./square-errors.js";

const TOKEN_REJECTED = "Square rejected the OAuth token";

/** The failure a thrown error stands for; undefined for anything but a SquareApiError. */
export function squareFailure(error: unknown): ProviderFailure | undefined {
  if (!isSquareApiError(error)) return undefined;
  const details = error.toDetails();
  switch (error.kind) {
    case "rate_limited":
      return { kind: "throttled", retryAfterSeconds: error.retryAfterSeconds ?? 1, message: "Square rate limit (RATE_LIMITED)" };
    case "invalid_cursor":
      return { kind: "invalid_cursor", code: "INVALID_CURSOR", message: error.message, details };
    case "unauthorized":
      // ACCESS_TOKEN_EXPIRED / ACCESS_TOKEN_REVOKED / UNAUTHORIZED: the seller must reconnect.
      return { kind: "token_rejected", reason: error.hasCode("ACCESS_TOKEN_EXPIRED") ? "expired" : "revoked", message: TOKEN_REJECTED, details };
    case "forbidden":
      return error.hasCode("INSUFFICIENT_SCOPES") ? { kind: "scopes_missing", message: TOKEN_REJECTED, details } : { kind: "forbidden", message: TOKEN_REJECTED, details };
    default:
      return { kind: "failed", status: error.status, message: error.message, details };
  }
}
