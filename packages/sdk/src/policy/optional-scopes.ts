// Optional scopes (manifest oauth.optionalScopes): requested with the required ones, but a
// grant without them still connects. What each missing one costs is said, never silent:
// the host puts these notices on the connection and on every run of the streams affected.
import type { OAuthConfig } from "../manifest/schema.js";

/** The notice code for an optional scope the grant lacks. */
export const OPTIONAL_SCOPE_NOT_GRANTED = "optional_scope_not_granted";

export type OptionalScopeNotice = {
  code: typeof OPTIONAL_SCOPE_NOT_GRANTED;
  scope: string;
  streams: string[];
  /** "orders older than 60 days are not available: the grant lacks read_all_orders" */
  message: string;
};

/** Every scope the authorization asks for: the required ones, then the optional ones. */
export function requestedScopes(oauth: Pick<OAuthConfig, "scopes" | "optionalScopes">): string[] {
  return [...new Set([...oauth.scopes, ...oauth.optionalScopes.map((o) => o.scope)])];
}

/** The optional scopes `granted` lacks, for every stream or only those affecting `stream`. */
export function optionalScopeNotices(oauth: Pick<OAuthConfig, "optionalScopes">, granted: readonly string[], stream?: string): OptionalScopeNotice[] {
  const have = new Set(granted);
  return oauth.optionalScopes
    .filter((o) => !have.has(o.scope) && (stream === undefined || o.streams.length === 0 || o.streams.includes(stream)))
    .map((o) => ({
      code: OPTIONAL_SCOPE_NOT_GRANTED,
      scope: o.scope,
      streams: [...o.streams],
      message: `${o.withoutIt}: the grant lacks the optional scope ${o.scope}`,
    }));
}
