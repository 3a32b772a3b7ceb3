// Page sizing by query cost: every page is a full page (as many nodes as one query may cost,
// at most the stream's page size), and a page the bucket cannot pay for yet waits for it.
// Shrinking pages to what the bucket holds spends the same points in many more requests
// (about 8x on a Standard plan's 100 points a second), so waiting is as fast and cheaper.
// The cost per node is learnt from `requestedQueryCost` of the previous page.
import { secondsUntilAvailable, type QueryCost } from "./admin-api.js";
import type { CostMemory } from "./stream-state.js";

export type { CostMemory };

/** Shopify refuses any single query whose requested cost exceeds this. */
export const MAX_SINGLE_QUERY_COST = 1000;

export type StreamCost = {
  /** Requested cost of the query apart from its nodes (the connection itself). */
  baseCost: number;
  /** Requested cost of one node, estimated from the document until a response says better. */
  costPerNode: number;
  maxPageSize: number;
};

export type PagePlan = { kind: "fetch"; first: number } | { kind: "wait"; seconds: number };

function availableNow(memory: CostMemory, now: number): number {
  const t = memory.throttle;
  if (!t) return MAX_SINGLE_QUERY_COST;
  const elapsed = Math.max(0, (now - (memory.observedAt ?? now)) / 1000);
  return Math.min(t.maximumAvailable, t.currentlyAvailable + elapsed * t.restoreRate);
}

/** The nodes of a full page: as many as one query may cost, at most the stream's page size. */
export function fullPageSize(stream: StreamCost, memory: CostMemory): number {
  const perNode = Math.max(memory.costPerNode ?? stream.costPerNode, 0.01);
  return Math.max(1, Math.min(stream.maxPageSize, Math.floor((MAX_SINGLE_QUERY_COST - stream.baseCost) / perNode)));
}

export function planPage(stream: StreamCost, memory: CostMemory, now: number): PagePlan {
  const perNode = Math.max(memory.costPerNode ?? stream.costPerNode, 0.01);
  const first = fullPageSize(stream, memory);
  const needed = Math.min(stream.baseCost + first * perNode, MAX_SINGLE_QUERY_COST);
  if (availableNow(memory, now) >= needed) return { kind: "fetch", first };
  const t = memory.throttle;
  const elapsedStatus = t ? { ...t, currentlyAvailable: availableNow(memory, now) } : undefined;
  return { kind: "wait", seconds: secondsUntilAvailable(elapsedStatus, needed) };
}

/** How long the host should wait before the next page (Checkpoint pauseSeconds), or undefined when it can go at once. */
export function pauseBeforeNextPage(stream: StreamCost, memory: CostMemory, now: number): number | undefined {
  const plan = planPage(stream, memory, now);
  return plan.kind === "wait" ? plan.seconds : undefined;
}

/** What the next page should know: the bucket after this call and the cost per node it showed. */
export function rememberCost(stream: StreamCost, previous: CostMemory, cost: QueryCost | undefined, first: number, now: number): CostMemory {
  const memory: CostMemory = { ...previous };
  if (cost?.throttleStatus) {
    memory.throttle = cost.throttleStatus;
    memory.observedAt = now;
  }
  if (typeof cost?.requestedQueryCost === "number" && first > 0) {
    memory.costPerNode = Math.max((cost.requestedQueryCost - stream.baseCost) / first, 0.01);
  }
  return memory;
}
