// Capped exponential backoff with jitter. A provider's Retry-After is honoured as a
// floor (capped separately, so one absurd header cannot stall a run for hours).
export type BackoffPolicy = { baseDelayMs: number; maxDelayMs: number; maxRetryAfterMs: number };

export function backoffDelay(attempt: number, policy: BackoffPolicy, retryAfterMs: number | null, random: () => number = Math.random): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, attempt - 1));
  const jittered = ceiling / 2 + random() * (ceiling / 2);
  return Math.max(Math.min(retryAfterMs ?? 0, policy.maxRetryAfterMs), jittered);
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
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
