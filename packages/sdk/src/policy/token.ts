// When is a stored access token good enough, when must it be refreshed, and when is
// the connection unusable? One decision, used by the host's vault and the test runtime.
import type { ReauthReason } from "../runtime/errors.js";

export type TokenState = {
  hasAccessToken: boolean;
  /** Epoch milliseconds; undefined for tokens that do not expire. */
  expiresAt?: number | undefined;
  grantedScopes: readonly string[];
  requiredScopes: readonly string[];
  refreshEnabled: boolean;
  hasRefreshToken: boolean;
  /** Connection marked by the host (revoked, refresh failed, missing scopes). */
  blockedReason?: ReauthReason | undefined;
};

export type TokenDecision = { action: "use" } | { action: "refresh" } | { action: "reauth"; reason: ReauthReason; missingScopes?: string[] };

export function missingScopes(granted: readonly string[], required: readonly string[]): string[] {
  const have = new Set(granted);
  return required.filter((s) => !have.has(s));
}

export function decideAccessToken(state: TokenState, minTtlSeconds: number, now: number): TokenDecision {
  if (state.blockedReason) return { action: "reauth", reason: state.blockedReason };
  if (!state.hasAccessToken) return { action: "reauth", reason: "missing_token" };
  const missing = missingScopes(state.grantedScopes, state.requiredScopes);
  if (missing.length) return { action: "reauth", reason: "missing_scopes", missingScopes: missing };
  if (state.expiresAt === undefined || state.expiresAt - now > minTtlSeconds * 1000) return { action: "use" };
  if (state.refreshEnabled && state.hasRefreshToken) return { action: "refresh" };
  return { action: "reauth", reason: "expired" };
}
