// A Shopify stream as a spec for oauth-helpers' stream engine: one page per invocation (the
// host calls again while hasMore). The engine pages by cursor, keeps the incremental pass
// (since = high-water mark minus the lookback) and commits pages part-way; this file adds
// what is Shopify's: the page is planned by query cost (a page the bucket cannot pay for
// yet waits), nodes larger than the page selects are completed by follow-up reads (a
// throttled follow-up ends the page at the last complete node, by its edge cursor), and a
// large pass runs as bulk operations (lib/bulk, the engine's `alternate` step).
// The host attaches the token to every Admin call; this code never holds it.
import type { EntityKind } from "@backfill-io/sdk";
import { ProviderFailureError, type Completion, type MappedRecord, type Partition, type StreamSpec as EngineSpec } from "@backfill-io/oauth-helpers";
import { secondsUntilAvailable, type QueryCost } from "./admin-api.js";
import { AdminSession, type Completed } from "./follow-ups.js";
import { pauseBeforeNextPage, planPage, rememberCost, type StreamCost } from "./page-size.js";
import { shopifyFailure } from "./provider-failure.js";
import { shopifyLayout, updatedSinceQuery, type CostMemory, type StreamState } from "./stream-state.js";
import type { BulkStreamSpec } from "./bulk/choose.js";

export type { MappedRecord };
/** `edges { cursor }` lets a page commit up to any node when a follow-up is throttled. */
export type Page<N> = { pageInfo: { hasNextPage: boolean; endCursor: string | null }; edges?: { cursor: string }[]; nodes: N[] };

/** What a Shopify stream is: its document, cost, search granularity, nodes and mapping. */
export type StreamSpec<D, N> = {
  stream: string;
  kind: EntityKind;
  document: string;
  cost: StreamCost;
  /** Overlap with the previous pass; at least a day where the search matches whole days. */
  lookbackMs: number;
  granularity: "instant" | "day";
  page: (data: D) => Page<N>;
  nodeId: (node: N) => string;
  updatedAt: (node: N) => string;
  /** Reads whatever the node has beyond what the page selected (follow-up queries). */
  complete?: (session: AdminSession, node: N) => Completed<N>;
  /** Canonical records for a node; throws MappingError for a record it cannot map. */
  toRecords: (node: N) => MappedRecord[];
  /** Large passes through Bulk Operations instead of pages (lib/bulk/choose.ts). */
  bulk?: BulkStreamSpec<N>;
};

export const MINUTE_MS = 60_000;
export const DAY_MS = 24 * 60 * MINUTE_MS;

/** One invocation's Admin calls, and what the page query reported about its cost. */
export type PageSession = { session: AdminSession; now: number; pageCost?: QueryCost | undefined };

/** The nodes completed in order; a throttled follow-up after the first ends the page there. */
function completeNodes<D, N>(spec: StreamSpec<D, N>, complete: NonNullable<StreamSpec<D, N>["complete"]>, nodes: N[], { session }: PageSession): Completion<N> {
  const done: N[] = [];
  for (const node of nodes) {
    const completed = complete(session, node);
    if (completed.ok) {
      done.push(completed.value);
      continue;
    }
    const failure = completed.failure;
    if (failure.kind === "throttled" && done.length > 0) return { done, stop: { failure: shopifyFailure(failure) } };
    if (failure.kind === "throttled") {
      // The first node alone needs more than the bucket holds now: wait for a full bucket.
      const status = session.lastCost?.throttleStatus;
      const full = status ? secondsUntilAvailable(status, status.maximumAvailable) : failure.retryAfterSeconds;
      throw new ProviderFailureError({ kind: "throttled", retryAfterSeconds: Math.max(failure.retryAfterSeconds, full), message: "Shopify throttled a follow-up read" });
    }
    throw new ProviderFailureError(shopifyFailure(failure));
  }
  return { done };
}

/** The engine's spec of a Shopify stream; `alternate` is the bulk path, when the stream has one. */
export function pagedStream<D, N>(
  spec: StreamSpec<D, N>,
  alternate?: (stored: StreamState | undefined, ctx: PageSession) => Response | undefined,
): EngineSpec<StreamState, N, N, Partition, CostMemory, PageSession> {
  const { complete } = spec;
  return {
    stream: spec.stream,
    kind: spec.kind,
    layout: shopifyLayout,
    watermark: "max_updated_at",
    lookbackMs: spec.lookbackMs,
    open: () => ({ session: new AdminSession(), now: Date.now() }),
    ...(alternate ? { alternate } : {}),
    planPage(memo, { now }) {
      const plan = planPage(spec.cost, memo ?? {}, now);
      return plan.kind === "wait" ? { waitSeconds: plan.seconds, reason: "Shopify query cost budget is spent" } : { size: plan.first };
    },
    fetchPage({ since, cursor, size }, ctx) {
      const query = updatedSinceQuery(since, spec.granularity);
      const result = ctx.session.query<D>(spec.document, { first: size, after: cursor ?? null, ...(query ? { query } : {}) });
      if (result.kind !== "data") throw new ProviderFailureError(shopifyFailure(result));
      ctx.pageCost = result.cost;
      const page = spec.page(result.data);
      const { hasNextPage, endCursor } = page.pageInfo;
      return { items: page.nodes, nextCursor: hasNextPage && endCursor ? endCursor : undefined, itemCursors: page.edges?.map((e) => e.cursor) };
    },
    ...(complete ? { complete: (nodes: N[], ctx: PageSession) => completeNodes(spec, complete, nodes, ctx) } : {}),
    idOf: spec.nodeId,
    updatedAt: spec.updatedAt,
    toRecords: spec.toRecords,
    // Cost per node from the page query; the bucket as the last call (maybe a follow-up) left it.
    // The host sleeps until the bucket pays for the next full page, instead of calling in vain.
    afterPage({ session, now, pageCost }, memo, query) {
      const learnt = rememberCost(spec.cost, memo ?? {}, pageCost, query.size ?? 0, now);
      const bucket = session.lastCost?.throttleStatus;
      const cost = bucket ? { ...learnt, throttle: bucket, observedAt: now } : learnt;
      return { memo: cost, pauseSeconds: pauseBeforeNextPage(spec.cost, cost, now) };
    },
    report: (_page, { session }) => ({ followUpReads: session.calls - 1 }),
  };
}
