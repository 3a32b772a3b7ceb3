// The sync engine's names for the host's one retry policy (src/retry/): a page's backoff is
// capped exponential with half of each wait random (streams retrying one provider spread out),
// a provider's Retry-After a floor under its own cap.
import { retryDelay, type Backoff } from "../retry/policy.js";

export { waitFor as sleep } from "../retry/retry.js";

export type BackoffPolicy = Omit<Backoff, "jitter">;

const PAGE_JITTER = 0.5;

export function backoffDelay(attempt: number, policy: BackoffPolicy, retryAfterMs: number | null, random: () => number = Math.random): number {
  return retryDelay(attempt, { ...policy, jitter: PAGE_JITTER }, retryAfterMs, random);
}
