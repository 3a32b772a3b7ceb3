// The host's one retry loop and its one wait. The wait ends early when its signal aborts (a
// host shutting down, a sync cancelled); the loop then gives up with the last failure.
import { retryDelay, type RetryPolicy } from "./policy.js";

/** Resolves after `ms`, or as soon as `signal` aborts (never rejects: the caller looks at the signal). */
export function waitFor(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    }
    signal?.addEventListener("abort", done, { once: true });
  });
}

export type RetryOptions = {
  signal?: AbortSignal;
  random?: () => number;
  /** Called before each wait (a log line, renewing a lease the retries run under). */
  beforeWait?(retry: { attempt: number; delayMs: number; failure: unknown }): Promise<void> | void;
};

/** Runs `attempt` until it succeeds, fails with a non-transient error, runs out of attempts or the signal aborts; throws the last failure. */
export async function retry<T>(attempt: (n: number) => Promise<T>, policy: RetryPolicy, options: RetryOptions = {}): Promise<T> {
  for (let n = 1; ; n++) {
    try {
      return await attempt(n);
    } catch (failure) {
      if (n >= policy.attempts || !policy.transient(failure) || options.signal?.aborted) throw failure;
      const delayMs = retryDelay(n, policy, policy.retryAfterMs?.(failure) ?? null, options.random);
      await options.beforeWait?.({ attempt: n, delayMs, failure });
      await waitFor(delayMs, options.signal);
      if (options.signal?.aborted) throw failure;
    }
  }
}
