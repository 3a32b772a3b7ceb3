// The host's one retry policy and loop (src/retry/): the delays, Retry-After under its cap, which
// failures end the loop, and the wait a signal cuts short. Fake timers: no real waiting.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { retryDelay, type RetryPolicy } from "../../src/retry/policy.js";
import { retry, waitFor } from "../../src/retry/retry.js";

class Transient extends Error {
  constructor(readonly retryAfterMs: number | null = null) {
    super("try again");
  }
}

const policy: RetryPolicy = {
  attempts: 4,
  baseDelayMs: 100,
  maxDelayMs: 300,
  jitter: 0.5,
  maxRetryAfterMs: 1_000,
  transient: (failure) => failure instanceof Transient,
  retryAfterMs: (failure) => (failure instanceof Transient ? failure.retryAfterMs : null),
};

describe("retryDelay", () => {
  it("doubles from the base, capped, with the jitter's share random", () => {
    const none = { ...policy, jitter: 0 };
    expect([1, 2, 3, 4].map((n) => retryDelay(n, none, null))).toEqual([100, 200, 300, 300]);
    expect(retryDelay(2, policy, null, () => 0)).toBe(100);
    expect(retryDelay(2, policy, null, () => 1)).toBe(200);
    expect(retryDelay(2, { ...policy, jitter: 0.25 }, null, () => 0)).toBe(150);
  });

  it("waits at least Retry-After, cut to its own cap; a cap of 0 ignores it", () => {
    expect(retryDelay(1, policy, 700, () => 1)).toBe(700);
    expect(retryDelay(1, policy, 60_000, () => 1)).toBe(1_000);
    expect(retryDelay(1, { ...policy, maxRetryAfterMs: 0 }, 60_000, () => 1)).toBe(100);
  });
});

describe("retry", () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it("retries a transient failure after each computed wait until the attempt succeeds", async () => {
    const waits: number[] = [];
    let calls = 0;
    const result = retry(
      (n) => {
        calls++;
        return n < 3 ? Promise.reject(new Transient(n === 2 ? 800 : null)) : Promise.resolve(`ok after ${n}`);
      },
      policy,
      { random: () => 1, beforeWait: ({ delayMs }) => void waits.push(delayMs) },
    );
    await vi.advanceTimersByTimeAsync(100);
    expect(calls).toBe(2);
    await vi.advanceTimersByTimeAsync(799);
    expect(calls).toBe(2);
    await vi.advanceTimersByTimeAsync(1);
    await expect(result).resolves.toBe("ok after 3");
    expect(waits).toEqual([100, 800]);
  });

  it("throws the last failure when the attempts run out", async () => {
    let calls = 0;
    const result = retry(() => (calls++, Promise.reject(new Transient())), policy, { random: () => 1 }).catch((e: unknown) => e);
    await vi.runAllTimersAsync();
    expect(await result).toBeInstanceOf(Transient);
    expect(calls).toBe(policy.attempts);
  });

  it("does not retry a failure the policy calls permanent", async () => {
    let calls = 0;
    const permanent = new Error("invalid_grant");
    await expect(retry(() => (calls++, Promise.reject(permanent)), policy)).rejects.toBe(permanent);
    expect(calls).toBe(1);
  });

  it("an abort during the wait ends the loop with the failure, without another attempt", async () => {
    const controller = new AbortController();
    let calls = 0;
    const result = retry(() => (calls++, Promise.reject(new Transient())), policy, { signal: controller.signal }).catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(10);
    controller.abort();
    expect(await result).toBeInstanceOf(Transient);
    expect(calls).toBe(1);
  });
});

describe("waitFor", () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it("resolves after its time, or at once when its signal aborts (already aborted: no wait at all)", async () => {
    let done = false;
    void waitFor(1_000).then(() => (done = true));
    await vi.advanceTimersByTimeAsync(999);
    expect(done).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(done).toBe(true);

    const controller = new AbortController();
    let aborted = false;
    void waitFor(60_000, controller.signal).then(() => (aborted = true));
    controller.abort();
    await vi.advanceTimersByTimeAsync(0);
    expect(aborted).toBe(true);
    expect(vi.getTimerCount()).toBe(0);
    await expect(waitFor(60_000, AbortSignal.abort())).resolves.toBeUndefined();
  });
});
