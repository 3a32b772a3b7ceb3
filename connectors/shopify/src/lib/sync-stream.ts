// One page of a sync stream per route invocation (the host calls again while hasMore):
// plan the page by cost, fetch it, read the rest of any record larger than the page
// selects, map, ingest and stage the checkpoint that is committed with the page's records.
// The host attaches the token to every Admin call; this code never holds it.
import { Checkpoint, api, ingest, log, type EntityKind } from "@backfill-io/sdk";
import { secondsUntilAvailable } from "./admin-api.js";
import { AdminSession, type Completed } from "./follow-ups.js";
import { nextState, passSince, readState, updatedSinceQuery } from "./incremental.js";
import { pauseBeforeNextPage, planPage, rememberCost, type StreamCost } from "./page-size.js";
import { providerFailureResponse } from "./provider-failure.js";
import { MappingError } from "../mappers/mapping-error.js";
import type { BulkStreamSpec } from "./bulk/choose.js";

export type MappedRecord = { key: string; payload: unknown; warnings: string[] };
/** `edges { cursor }` lets a page commit up to any node when a follow-up is throttled. */
export type Page<N> = { pageInfo: { hasNextPage: boolean; endCursor: string | null }; edges?: { cursor: string }[]; nodes: N[] };

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

export function syncPage<D, N>(spec: StreamSpec<D, N>, now = Date.now()): Response {
  const state = readState(Checkpoint.get(spec.stream));
  const plan = planPage(spec.cost, state.cost ?? {}, now);
  if (plan.kind === "wait") {
    return api.retryAfter(plan.seconds, "Shopify query cost budget is spent", { stream: spec.stream });
  }
  const since = passSince(state, spec.lookbackMs);
  const query = updatedSinceQuery(since, spec.granularity);
  const session = new AdminSession();
  const result = session.query<D>(spec.document, {
    first: plan.first,
    after: state.cursor,
    ...(query ? { query } : {}),
  });
  if (result.kind !== "data") return providerFailureResponse(result, spec.stream);

  const page = spec.page(result.data);
  // Nodes read in full. A throttled follow-up ends the page early at the last complete node
  // (its edge cursor), so a large order costs at most a wait, never the whole page again.
  const nodes: N[] = [];
  let endCursor = page.pageInfo.endCursor;
  let hasNextPage = page.pageInfo.hasNextPage;
  for (const [index, node] of page.nodes.entries()) {
    const completed: Completed<N> = spec.complete ? spec.complete(session, node) : { ok: true, value: node };
    if (completed.ok) {
      nodes.push(completed.value);
      continue;
    }
    const failure = completed.failure;
    const resumeAt = index > 0 ? page.edges?.[index - 1]?.cursor : undefined;
    if (failure.kind === "throttled" && resumeAt) {
      log.info("page ends early: a follow-up read was throttled", { stream: spec.stream, id: spec.nodeId(node) });
      endCursor = resumeAt;
      hasNextPage = true;
      break;
    }
    if (failure.kind === "throttled") {
      // The first node alone needs more than the bucket holds now: wait for a full bucket.
      const status = session.lastCost?.throttleStatus;
      const full = status ? secondsUntilAvailable(status, status.maximumAvailable) : failure.retryAfterSeconds;
      return api.retryAfter(Math.max(failure.retryAfterSeconds, full), "Shopify throttled a follow-up read", { stream: spec.stream, id: spec.nodeId(node) });
    }
    return providerFailureResponse(failure, spec.stream);
  }

  const ingested = mapAndIngest(spec, nodes);
  const maxUpdatedAt = latestUpdatedAt(spec, nodes);
  // Cost per node from the page query; the bucket as the last call (maybe a follow-up) left it.
  const learnt = rememberCost(spec.cost, state.cost ?? {}, result.cost, plan.first, now);
  const bucket = session.lastCost?.throttleStatus;
  const cost = bucket ? { ...learnt, throttle: bucket, observedAt: now } : learnt;
  const next = nextState(state, since, { hasNextPage, endCursor, maxUpdatedAt }, cost);
  // The host sleeps until the bucket pays for the next full page, instead of calling in vain.
  const pauseSeconds = next.hasMore ? pauseBeforeNextPage(spec.cost, cost, now) : undefined;
  Checkpoint.set(spec.stream, next.state, { hasMore: next.hasMore, ...(pauseSeconds ? { pauseSeconds } : {}) });

  return api.json({
    stream: spec.stream,
    fetched: nodes.length,
    ...ingested,
    followUpReads: session.calls - 1,
    hasMore: next.hasMore,
  });
}

export type IngestSummary = { accepted: number; rejected: number; errors: { key: string | undefined; path: string; message: string }[]; skipped: { id: string; message: string }[] };

/** Maps nodes to canonical records (a node it cannot map is skipped and logged) and ingests them, keyed by GID. */
export function mapAndIngest<D, N>(spec: StreamSpec<D, N>, nodes: N[]): IngestSummary {
  const records: MappedRecord[] = [];
  const skipped: { id: string; message: string }[] = [];
  for (const node of nodes) {
    try {
      records.push(...spec.toRecords(node));
    } catch (error) {
      if (!(error instanceof MappingError)) throw error;
      skipped.push({ id: spec.nodeId(node), message: error.message });
    }
  }
  for (const s of skipped) log.warn("record not mapped", { stream: spec.stream, id: s.id, reason: s.message });
  for (const r of records) {
    for (const warning of r.warnings) log.warn("record mapped with a warning", { stream: spec.stream, key: r.key, warning });
  }
  const keys = records.map((r) => r.key);
  const ingested = ingest.batch(spec.kind, records.map((r) => r.payload), {
    stream: spec.stream,
    continueOnError: true,
    idempotencyKey: (_payload, index) => keys[index]!,
  });
  for (const e of ingested.errors) {
    log.error("record rejected by the canonical schema", { stream: spec.stream, key: keys[e.index], path: e.path, message: e.message });
  }
  return {
    accepted: ingested.accepted,
    rejected: ingested.rejected,
    errors: ingested.errors.map((e) => ({ key: keys[e.index], path: e.path, message: e.message })),
    skipped,
  };
}

export function latestUpdatedAt<D, N>(spec: StreamSpec<D, N>, nodes: N[]): string | null {
  return nodes.reduce<string | null>((max, n) => {
    const at = spec.updatedAt(n);
    return !max || Date.parse(at) > Date.parse(max) ? at : max;
  }, null);
}
