import { describe, expect, it } from "vitest";
import { backoffDelay } from "../../src/sync/index.js";

const policy = { baseDelayMs: 100, maxDelayMs: 1_000, maxRetryAfterMs: 5_000 };

describe("backoffDelay", () => {
  it("grows exponentially with jitter and is capped", () => {
    expect(backoffDelay(1, policy, null, () => 0)).toBe(50);
    expect(backoffDelay(1, policy, null, () => 1)).toBe(100);
    expect(backoffDelay(3, policy, null, () => 1)).toBe(400);
    expect(backoffDelay(10, policy, null, () => 1)).toBe(1_000);
    expect(backoffDelay(10, policy, null, () => 0)).toBe(500);
  });

  it("waits at least Retry-After, within its own cap", () => {
    expect(backoffDelay(1, policy, 2_000, () => 1)).toBe(2_000);
    expect(backoffDelay(1, policy, 60_000, () => 1)).toBe(5_000);
  });
});
