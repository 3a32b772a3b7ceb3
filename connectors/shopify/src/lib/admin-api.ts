// The Admin GraphQL client: one POST per call, and an explicit outcome for everything
// a route has to tell apart (data, throttled, the token rejected, other failures).
// The sync routes and webhooks let the host attach the token (X-Shopify-Access-Token, only
// to the shop's own host), so they never hold it; setup passes the token it looked up.
// No outcome carries the token.
import { Http, Settings } from "@backfill-io/sdk";
import { DEFAULT_RETRY_AFTER_SECONDS, MIN_TOKEN_TTL_SECONDS, retryAfterHeaderSeconds } from "@backfill-io/oauth-helpers";
import { ADMIN_API_VERSION } from "./documents.js";

export type ThrottleStatus = { maximumAvailable: number; currentlyAvailable: number; restoreRate: number };
export type QueryCost = { requestedQueryCost?: number; actualQueryCost?: number | null; throttleStatus?: ThrottleStatus };

export type AdminResult<T> =
  | { kind: "data"; data: T; cost: QueryCost | undefined }
  | { kind: "throttled"; retryAfterSeconds: number; cost: QueryCost | undefined }
  /** Shopify rejected the token (401) or the app lacks access (403). */
  | { kind: "auth_failed"; status: number }
  | { kind: "failed"; status: number; messages: string[] };

type GraphqlError = { message?: string; extensions?: { code?: string } };
type GraphqlBody<T> = { data?: T | null; errors?: GraphqlError[] | string; extensions?: { cost?: QueryCost } };

export function adminGraphqlUrl(shopDomain: string): string {
  return `https://${shopDomain}/admin/api/${ADMIN_API_VERSION}/graphql.json`;
}

/** Seconds until the bucket holds `needed` points again. */
export function secondsUntilAvailable(status: ThrottleStatus | undefined, needed: number): number {
  if (!status || status.restoreRate <= 0) return DEFAULT_RETRY_AFTER_SECONDS;
  const deficit = Math.max(0, needed - status.currentlyAvailable);
  return Math.max(1, Math.ceil(deficit / status.restoreRate));
}

/**
 * One Admin GraphQL call. Without `accessToken` the host attaches the connection's token
 * (and throws reauth_required when there is none); with it, the caller's token is sent.
 */
export function adminGraphql<T>(query: string, variables: Record<string, unknown> = {}, opts: { accessToken?: string } = {}): AdminResult<T> {
  const shopDomain = Settings.get<string>("shop_domain");
  const headers: Record<string, string> = { "Content-Type": "application/json", Accept: "application/json" };
  if (opts.accessToken !== undefined) headers["X-Shopify-Access-Token"] = opts.accessToken;
  const response = Http.post<GraphqlBody<T> | string>(
    adminGraphqlUrl(shopDomain),
    { query, variables },
    opts.accessToken !== undefined ? { headers } : { headers, auth: { oauth: { minTtlSeconds: MIN_TOKEN_TTL_SECONDS, header: "X-Shopify-Access-Token", scheme: null } } },
  );

  if (response.status === 401 || response.status === 403) return { kind: "auth_failed", status: response.status };
  if (response.status === 429 || response.status === 503) {
    const body = typeof response.body === "object" && response.body ? response.body : undefined;
    return { kind: "throttled", retryAfterSeconds: retryAfterHeaderSeconds(response.headers) ?? DEFAULT_RETRY_AFTER_SECONDS, cost: body?.extensions?.cost };
  }
  const body = typeof response.body === "object" && response.body ? response.body : undefined;
  if (!response.ok || !body) {
    return { kind: "failed", status: response.status, messages: [`Shopify answered HTTP ${response.status}`] };
  }
  const cost = body.extensions?.cost;
  const errors = typeof body.errors === "string" ? [{ message: body.errors }] : (body.errors ?? []);
  if (errors.some((e) => e.extensions?.code === "THROTTLED")) {
    const requested = cost?.requestedQueryCost ?? 0;
    return { kind: "throttled", retryAfterSeconds: secondsUntilAvailable(cost?.throttleStatus, requested), cost };
  }
  if (errors.some((e) => e.extensions?.code === "ACCESS_DENIED")) return { kind: "auth_failed", status: 403 };
  if (errors.length || !body.data) {
    return { kind: "failed", status: response.status, messages: errors.map((e) => e.message ?? "GraphQL error") };
  }
  return { kind: "data", data: body.data, cost };
}
