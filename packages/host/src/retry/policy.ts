// The host's one retry policy: how many attempts, how long to wait before the next one (capped
// exponential backoff with jitter; a server's Retry-After honoured as a floor, under a cap of
// its own so one absurd header cannot stall a run for hours) and which failures are worth
// another attempt. The sync engine's pages (sync/backoff.ts), the token endpoint's refresh
// (tokens/token-manager.ts) and the auth-webhook outbox (events/auth-webhooks.ts) use it.

/** How long to wait before a retry. */
export type Backoff = {
  /** The wait before the first retry; each next one doubles it. */
  baseDelayMs: number;
  /** No wait (before Retry-After) is longer. */
  maxDelayMs: number;
  /** The random share of a wait: it is drawn between (1 − jitter) and 1 times the capped exponential; 0 = none, 0.5 = half. */
  jitter: number;
  /** A Retry-After longer than this is cut to it; 0 ignores Retry-After. */
  maxRetryAfterMs: number;
};

export type RetryPolicy<Failure = unknown> = Backoff & {
  /** Attempts in all, the first included. */
  attempts: number;
  /** Whether another attempt may succeed (a 5xx, a 429, a network failure); anything else ends the loop at once. */
  transient(failure: Failure): boolean;
  /** The server's Retry-After of a failure, in ms, when it sent one. */
  retryAfterMs?(failure: Failure): number | null;
};

/** The wait before retry number `retry` (1 = the first retry, after the first attempt failed). */
export function retryDelay(retry: number, backoff: Backoff, retryAfterMs: number | null, random: () => number = Math.random): number {
  const ceiling = Math.min(backoff.maxDelayMs, backoff.baseDelayMs * 2 ** Math.max(0, retry - 1));
  const jittered = ceiling * (1 - backoff.jitter + backoff.jitter * random());
  return Math.max(Math.min(retryAfterMs ?? 0, backoff.maxRetryAfterMs), jittered);
}
