// Fault injection: rate limits, server errors, timeouts, malformed bodies and token revocation,
// decided by a seeded sequence so the same run of requests meets the same faults every time.
import { mulberry32 } from "../common/random.js";
import type { ShopifyEmulatorState } from "./state.js";

export type FaultKind = "rate_limited" | "server_error" | "timeout" | "malformed_json" | "revoked";

export interface FaultOptions {
  /** Fraction (0..1) of requests answered 429 with Retry-After. */
  rateLimited?: number;
  /** Fraction answered 500/502/503. */
  serverError?: number;
  /** Fraction that hang for `hangMs` before answering 504. */
  timeout?: number;
  /** Fraction answered 200 with a truncated JSON body. */
  malformedJson?: number;
  /**
   * Fraction of GraphQL requests whose access token is revoked (as `revokeToken` does: the
   * app is uninstalled), so this request and every later one with it get Shopify's 401.
   */
  revoked?: number;
  /** How long a "timeout" hangs (default 30 s, past any sane client deadline). */
  hangMs?: number;
  /** Retry-After seconds sent with 429 (default 2). */
  retryAfterSeconds?: number;
  /** Which endpoints fault: GraphQL only by default. */
  endpoints?: Array<"graphql" | "oauth">;
}

export class FaultPlan {
  private random: () => number;
  private options: FaultOptions;
  /** Faults served so far, in order: tests check each kind really happened. */
  readonly served: Array<{ kind: FaultKind; endpoint: "graphql" | "oauth" }> = [];

  constructor(
    private readonly seed: number,
    options: FaultOptions = {},
  ) {
    this.options = options;
    this.random = mulberry32(seed ^ 0x5eed);
  }

  /** Replace the fault rates and restart the seeded sequence. */
  configure(options: FaultOptions): void {
    this.options = options;
    this.random = mulberry32(this.seed ^ 0x5eed);
  }

  get settings(): Readonly<FaultOptions> {
    return this.options;
  }

  /** One draw per eligible request, so the nth request always gets the same answer. */
  next(endpoint: "graphql" | "oauth"): FaultKind | undefined {
    const endpoints = this.options.endpoints ?? ["graphql"];
    if (!endpoints.includes(endpoint)) return undefined;
    const r = this.random();
    let edge = 0;
    const bands: Array<[FaultKind, number | undefined]> = [
      ["rate_limited", this.options.rateLimited],
      ["server_error", this.options.serverError],
      ["timeout", this.options.timeout],
      ["malformed_json", this.options.malformedJson],
      ["revoked", this.options.revoked],
    ];
    for (const [kind, rate] of bands) {
      edge += rate ?? 0;
      if (r < edge) {
        // A revocation counts only once it has killed a live token (see applyFault).
        if (kind !== "revoked") this.served.push({ kind, endpoint });
        return kind;
      }
    }
    return undefined;
  }

  /** Logs a revocation that really happened. */
  servedRevocation(endpoint: "graphql" | "oauth"): void {
    this.served.push({ kind: "revoked", endpoint });
  }

  /** Which 5xx to send, drawn from the same sequence. */
  serverErrorStatus(): 500 | 502 | 503 {
    const r = this.random();
    return r < 0.34 ? 500 : r < 0.67 ? 502 : 503;
  }
}

/** Shopify's bodies for these faults. */
export function faultResponse(kind: Exclude<FaultKind, "timeout" | "revoked">, plan: FaultPlan): Response {
  switch (kind) {
    case "rate_limited":
      return new Response(JSON.stringify({ errors: "Exceeded 2 calls per second for api client. Reduce request rates to resume uninterrupted service." }), {
        status: 429,
        headers: { "Content-Type": "application/json", "Retry-After": `${(plan.settings.retryAfterSeconds ?? 2).toFixed(1)}` },
      });
    case "server_error": {
      const status = plan.serverErrorStatus();
      return new Response(JSON.stringify({ errors: "Internal Server Error" }), {
        status,
        headers: { "Content-Type": "application/json" },
      });
    }
    case "malformed_json":
      return new Response('{"data":{"orders":{"nodes":[{"id":"gid://shopify/Order/', {
        status: 200,
        headers: { "Content-Type": "application/json" },
      });
  }
}

/** What a fault may act on: the request's access token and shop (GraphQL only). */
export interface FaultTarget {
  accessToken?: string;
  shop?: string;
}

/**
 * A faulty response for this request, or undefined to serve it normally. A `revoked` draw
 * revokes the request's live token and serves it normally, so the token check answers the 401.
 */
export async function applyFault(state: ShopifyEmulatorState, endpoint: "graphql" | "oauth", target: FaultTarget = {}): Promise<Response | undefined> {
  const kind = state.faults.next(endpoint);
  if (!kind) return undefined;
  if (kind === "revoked") {
    const { accessToken, shop } = target;
    if (accessToken && shop && state.activeToken(accessToken, shop) && state.revokeToken(accessToken)) state.faults.servedRevocation(endpoint);
    return undefined;
  }
  if (kind === "timeout") {
    await state.hang(state.faults.settings.hangMs ?? 30_000);
    return new Response(JSON.stringify({ errors: "Gateway Timeout" }), {
      status: 504,
      headers: { "Content-Type": "application/json" },
    });
  }
  return faultResponse(kind, state.faults);
}
