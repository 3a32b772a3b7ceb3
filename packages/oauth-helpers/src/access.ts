// Token lookup and reauth responses, the same in every connector (guide section 4).
import { OAuth, api, isReauthRequired, type AccessTokenOptions, type ReauthReason } from "@backfill-io/sdk";

/** A token sent to a provider is valid for at least this long; the host refreshes it before. */
export const MIN_TOKEN_TTL_SECONDS = 600;

/** The provider access token, or null when the connection needs reauthorization. Other errors propagate. */
export function providerAccessToken(opts: AccessTokenOptions = {}): string | null {
  try {
    return OAuth.accessToken({ minTtlSeconds: opts.minTtlSeconds ?? MIN_TOKEN_TTL_SECONDS });
  } catch (error) {
    if (isReauthRequired(error)) return null;
    throw error;
  }
}

export type ReauthInfo = { reason?: ReauthReason; missingScopes?: string[] };

/**
 * 401 with a machine-readable reason: `{ error: { code: "reauth_required", message,
 * details: { reason, missingScopes? } } }`. Accepts a reason or the caught error.
 */
export function missingProviderAccessResponse(reasonOrError?: unknown): Response {
  let info: ReauthInfo = {};
  if (typeof reasonOrError === "string") info = { reason: reasonOrError as ReauthReason };
  else if (isReauthRequired(reasonOrError))
    info = { ...(reasonOrError.reason ? { reason: reasonOrError.reason } : {}), ...(reasonOrError.missingScopes ? { missingScopes: reasonOrError.missingScopes } : {}) };
  else if (reasonOrError && typeof reasonOrError === "object") info = reasonOrError;
  const reason = info.reason ?? "missing_token";
  const scopes = reason === "missing_scopes" && info.missingScopes?.length ? `: missing ${info.missingScopes.join(", ")}` : "";
  return api.error(`OAuth connection is not authorized (${reason}${scopes})`, {
    status: 401,
    code: "reauth_required",
    details: { reason, ...(info.missingScopes ? { missingScopes: info.missingScopes } : {}) },
  });
}

/**
 * Wraps a route body: looks the token up once, answers the reauth 401 when there is
 * none, and otherwise calls `handler` with the token.
 */
export function withProviderAccess<A extends unknown[]>(
  handler: (accessToken: string, ...args: A) => Response | Promise<Response>,
  opts: AccessTokenOptions = {},
): (...args: A) => Promise<Response> {
  return async (...args: A) => {
    let token: string;
    try {
      token = OAuth.accessToken({ minTtlSeconds: opts.minTtlSeconds ?? MIN_TOKEN_TTL_SECONDS });
    } catch (error) {
      if (isReauthRequired(error)) return missingProviderAccessResponse(error);
      throw error;
    }
    return handler(token, ...args);
  };
}
