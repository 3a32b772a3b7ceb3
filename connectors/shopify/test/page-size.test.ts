import { describe, expect, it } from "vitest";
import { MAX_SINGLE_QUERY_COST, pauseBeforeNextPage, planPage, rememberCost } from "../src/lib/page-size.js";
import { passSince, updatedSinceQuery } from "../src/lib/stream-state.js";

const stream = { baseCost: 2, costPerNode: 60, maxPageSize: 50 };

describe("page size by query cost", () => {
  it("with no history: as many nodes as one query may cost", () => {
    expect(planPage(stream, {}, 0)).toEqual({ kind: "fetch", first: Math.floor((MAX_SINGLE_QUERY_COST - 2) / 60) });
  });
  it("counts what the bucket restored since the last response", () => {
    const memory = { throttle: { maximumAvailable: 1000, currentlyAvailable: 0, restoreRate: 50 }, observedAt: 0 };
    // A full page (16 nodes, 962 points) needs 20 s of restore from empty.
    expect(planPage(stream, memory, 0)).toEqual({ kind: "wait", seconds: 20 });
    expect(planPage(stream, memory, 20_000)).toEqual({ kind: "fetch", first: 16 });
  });
  it("waits for a full page instead of asking for the few nodes the bucket holds now", () => {
    // Standard plan: 100 points/s. 600 available pays for 9 orders at 60; a full page is 16.
    const memory = { throttle: { maximumAvailable: 2000, currentlyAvailable: 600, restoreRate: 100 }, observedAt: 0 };
    expect(planPage(stream, memory, 0)).toEqual({ kind: "wait", seconds: 4 });
    expect(pauseBeforeNextPage(stream, memory, 0)).toBe(4);
    expect(pauseBeforeNextPage(stream, { ...memory, throttle: { ...memory.throttle, currentlyAvailable: 1500 } }, 0)).toBeUndefined();
  });
  it("learns the cost per node from requestedQueryCost", () => {
    const memory = rememberCost(stream, {}, { requestedQueryCost: 122, throttleStatus: { maximumAvailable: 2000, currentlyAvailable: 1990, restoreRate: 100 } }, 2, 0);
    expect(memory.costPerNode).toBe(60);
    expect(planPage({ ...stream, costPerNode: 999 }, memory, 0)).toEqual({ kind: "fetch", first: 16 });
  });
});

describe("incremental windows", () => {
  it("a new pass starts at the high-water mark minus the lookback; a resumed pass keeps its since", () => {
    expect(passSince({ cursor: null, since: null, highWater: "2026-01-05T12:00:00Z" }, 300_000)).toBe("2026-01-05T11:55:00.000Z");
    expect(passSince({ cursor: "c", since: "2026-01-01T00:00:00.000Z", highWater: "2026-01-05T12:00:00Z" }, 300_000)).toBe("2026-01-01T00:00:00.000Z");
    expect(passSince({ cursor: null, since: null, highWater: null }, 300_000)).toBeNull();
  });
  it("customers search by whole days", () => {
    expect(updatedSinceQuery("2026-01-05T11:55:00.000Z", "day")).toBe("updated_at:>='2026-01-05'");
    expect(updatedSinceQuery("2026-01-05T11:55:00.000Z", "instant")).toBe("updated_at:>='2026-01-05T11:55:00Z'");
  });
});
