// Page sizing by query cost: a page asks for as many nodes as the bucket can pay for
// (never more than Shopify's single-query limit), and waits when it cannot pay for one.
// The cost per node is learnt from `requestedQueryCost` of the previous page.
import { secondsUntilAvailable, type QueryCost, type ThrottleStatus } from "./admin-api.js";

/** Shopify refuses any single query whose requested cost exceeds this. */
export const MAX_SINGLE_QUERY_COST = 1000;

export type StreamCost = {
  /** Requested cost of the query apart from its nodes (the connection itself). */
  baseCost: number;
  /** Requested cost of one node, estimated from the document until a response says better. */
  costPerNode: number;
  maxPageSize: number;
};

export type CostMemory = {
  costPerNode?: number;
  throttle?: ThrottleStatus;
  /** Epoch ms when `throttle` was observed. */
  observedAt?: number;
};

export type PagePlan = { kind: "fetch"; first: number } | { kind: "wait"; seconds: number };

function availableNow(memory: CostMemory, now: number): number {
  const t = memory.throttle;
  if (!t) return MAX_SINGLE_QUERY_COST;
  const elapsed = Math.max(0, (now - (memory.observedAt ?? now)) / 1000);
  return Math.min(t.maximumAvailable, t.currentlyAvailable + elapsed * t.restoreRate);
}

export function planPage(stream: StreamCost, memory: CostMemory, now: number): PagePlan {
  const perNode = Math.max(memory.costPerNode ?? stream.costPerNode, 0.01);
  const budget = Math.min(availableNow(memory, now), MAX_SINGLE_QUERY_COST);
  const first = Math.min(stream.maxPageSize, Math.floor((budget - stream.baseCost) / perNode));
  if (first >= 1) return { kind: "fetch", first };
  const needed = stream.baseCost + perNode;
  const t = memory.throttle;
  const elapsedStatus = t ? { ...t, currentlyAvailable: availableNow(memory, now) } : undefined;
  return { kind: "wait", seconds: secondsUntilAvailable(elapsedStatus, needed) };
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
