// Fault injection for the API: a requests-per-second budget (429) plus seeded random or queued
// 429s, 5xx, timeouts, malformed JSON bodies and token revocations, so connector retry and
// reauthorization paths run deterministically.

import type { Context, MiddlewareHandler } from "hono";
import { createRandom, type Random } from "./random.js";
import type { SquareError } from "./types.js";
import { FAULT_VARIABLE } from "./recorder.js";

export type FaultKind = "rate_limited" | "server_error" | "timeout" | "malformed_json" | "revoked";

/** Probability (0..1) per request of each fault. */
export interface FaultRates {
  rateLimited?: number;
  serverError?: number;
  /** Requests held until `hangMs` passes (or close()), then answered 504. */
  timeout?: number;
  malformedJson?: number;
  /**
   * Requests whose bearer token is revoked as `revokeToken` does (every token of that app and
   * merchant), so this request and every later one get 401 ACCESS_TOKEN_REVOKED.
   */
  revoked?: number;
}

export interface FaultOptions {
  rates?: FaultRates;
  /** How long a hung request stalls before the server gives up with a 504 (default: until close()). */
  hangMs?: number;
  /** Also inject faults into POST /oauth2/token (default: only /v2/*). */
  includeOAuth?: boolean;
}

export interface RateLimitOptions {
  requestsPerSecond: number;
}

export class FaultInjector {
  private random: Random;
  private rates: FaultRates;
  private readonly queued: FaultKind[] = [];
  private readonly scheduled: Array<{ kind: FaultKind; at: number }> = [];
  private apiRequests = 0;
  private readonly recent: number[] = [];
  private readonly hung = new Set<() => void>();
  /** Faults served so far, in order (for assertions). */
  readonly served: Array<{ kind: FaultKind; path: string }> = [];

  constructor(
    seed: string | number,
    readonly options: FaultOptions,
    public rateLimit: RateLimitOptions | undefined,
    private readonly now: () => number,
  ) {
    this.random = createRandom("square-faults", seed);
    this.rates = { ...options.rates };
  }

  /**
   * Fails the request that comes after `requests` more API requests with `kind`: a fault at a
   * known point of a sync, however few requests the client needs.
   */
  injectAfter(kind: FaultKind, requests: number): void {
    this.scheduled.push({ kind, at: this.apiRequests + requests + 1 });
  }

  /** Forces the next `times` API requests to fail with `kind`, ahead of any random faults. */
  inject(kind: FaultKind, times = 1): void {
    for (let index = 0; index < times; index += 1) this.queued.push(kind);
  }

  setRates(rates: FaultRates): void {
    this.rates = { ...rates };
  }

  clear(): void {
    this.queued.length = 0;
    this.scheduled.length = 0;
    this.rates = {};
    this.rateLimit = undefined;
  }

  /** True when this request exceeds the requests-per-second budget (sliding one-second window). */
  overBudget(): boolean {
    if (!this.rateLimit) return false;
    const now = this.now();
    while (this.recent.length > 0 && now - this.recent[0]! >= 1000) this.recent.shift();
    if (this.recent.length >= this.rateLimit.requestsPerSecond) return true;
    this.recent.push(now);
    return false;
  }

  nextFault(): FaultKind | undefined {
    this.apiRequests += 1;
    const due = this.scheduled.findIndex((entry) => entry.at === this.apiRequests);
    if (due >= 0) return this.scheduled.splice(due, 1)[0]!.kind;
    const queued = this.queued.shift();
    if (queued) return queued;
    const { rateLimited = 0, serverError = 0, timeout = 0, malformedJson = 0, revoked = 0 } = this.rates;
    if (rateLimited + serverError + timeout + malformedJson + revoked === 0) return undefined;
    const roll = this.random();
    let edge = 0;
    const bands: Array<[FaultKind, number]> = [
      ["rate_limited", rateLimited],
      ["server_error", serverError],
      ["timeout", timeout],
      ["malformed_json", malformedJson],
      ["revoked", revoked],
    ];
    for (const [kind, rate] of bands) {
      edge += rate;
      if (roll < edge) return kind;
    }
    return undefined;
  }

  /** Stalls until close() releases it or `hangMs` passes. */
  hang(): Promise<void> {
    return new Promise((resolve) => {
      const release = () => {
        this.hung.delete(release);
        resolve();
      };
      this.hung.add(release);
      if (this.options.hangMs !== undefined) setTimeout(release, this.options.hangMs).unref();
    });
  }

  releaseHung(): void {
    for (const release of [...this.hung]) release();
  }
}

const errorBody = (error: SquareError) => ({ errors: [error] });

function rateLimited(c: Context, detail: string): Response {
  c.header("Retry-After", "1");
  return c.json(errorBody({ category: "RATE_LIMIT_ERROR", code: "RATE_LIMITED", detail }), 429);
}

/**
 * Revokes the live bearer token a request carries; true when one died. The state owns tokens,
 * so the server hands this in.
 */
export type RevokeBearer = (accessToken: string) => boolean;

function bearerToken(c: Context): string | undefined {
  return /^Bearer\s+(\S+)\s*$/i.exec(c.req.header("authorization") ?? "")?.[1];
}

export function faultMiddleware(faults: FaultInjector, revokeBearer: RevokeBearer): MiddlewareHandler {
  return async (c, next) => {
    if (faults.overBudget()) {
      faults.served.push({ kind: "rate_limited", path: c.req.path });
      return rateLimited(c, "Your application has exceeded its request rate limit. Please retry later.");
    }
    const fault = faults.nextFault();
    // A revocation counts only once it has killed a live token.
    if (fault && fault !== "revoked") faults.served.push({ kind: fault, path: c.req.path });
    if (fault) c.set(FAULT_VARIABLE as never, fault as never);
    switch (fault) {
      case "rate_limited":
        return rateLimited(c, "Your application has exceeded its request rate limit. Please retry later.");
      case "server_error":
        return c.json(
          errorBody({ category: "API_ERROR", code: "INTERNAL_SERVER_ERROR", detail: "An internal error has occurred, and the API was unable to service your request." }),
          500,
        );
      case "timeout":
        await faults.hang();
        return c.json(errorBody({ category: "API_ERROR", code: "GATEWAY_TIMEOUT", detail: "The request timed out." }), 504);
      case "malformed_json": {
        await next();
        const text = await c.res.text();
        // A body cut in half: the status and headers look fine, the JSON does not parse.
        c.res = new Response(text.slice(0, Math.max(1, Math.floor(text.length / 2))), {
          status: c.res.status,
          headers: { "content-type": "application/json" },
        });
        return;
      }
      case "revoked": {
        const token = bearerToken(c);
        if (token !== undefined && revokeBearer(token)) faults.served.push({ kind: "revoked", path: c.req.path });
        // Served normally: the token check answers the revoked token's 401.
        await next();
        return;
      }
      default:
        await next();
    }
  };
}
