// One page of a sync stream per route invocation (the host calls again while hasMore):
// plan the page by cost, fetch it, map it, ingest it and stage the checkpoint that is
// committed with the page's records.
import { Checkpoint, api, ingest, log, type EntityKind } from "@backfill-io/sdk";
import { adminGraphql } from "./admin-api.js";
import { nextState, passSince, readState, updatedSinceQuery } from "./incremental.js";
import { planPage, rememberCost, type StreamCost } from "./page-size.js";
import { providerFailureResponse } from "./provider-failure.js";
import { MappingError } from "../mappers/mapping-error.js";

export type MappedRecord = { key: string; payload: unknown; warnings: string[] };
type Page<N> = { pageInfo: { hasNextPage: boolean; endCursor: string | null }; nodes: N[] };

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
  /** Canonical records for a node; throws MappingError for a record it cannot map. */
  toRecords: (node: N) => MappedRecord[];
};

export const MINUTE_MS = 60_000;
export const DAY_MS = 24 * 60 * MINUTE_MS;

export function syncPage<D, N>(spec: StreamSpec<D, N>, accessToken: string, now = Date.now()): Response {
  const state = readState(Checkpoint.get(spec.stream));
  const plan = planPage(spec.cost, state.cost ?? {}, now);
  if (plan.kind === "wait") {
    return api.retryAfter(plan.seconds, "Shopify query cost budget is spent", { stream: spec.stream });
  }
  const since = passSince(state, spec.lookbackMs);
  const query = updatedSinceQuery(since, spec.granularity);
  const result = adminGraphql<D>(accessToken, spec.document, {
    first: plan.first,
    after: state.cursor,
    ...(query ? { query } : {}),
  });
  if (result.kind !== "data") return providerFailureResponse(result, spec.stream);

  const page = spec.page(result.data);
  const records: MappedRecord[] = [];
  const skipped: { id: string; message: string }[] = [];
  for (const node of page.nodes) {
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

  const maxUpdatedAt = page.nodes.reduce<string | null>((max, n) => {
    const at = spec.updatedAt(n);
    return !max || Date.parse(at) > Date.parse(max) ? at : max;
  }, null);
  const cost = rememberCost(spec.cost, state.cost ?? {}, result.cost, plan.first, now);
  const next = nextState(state, since, { hasNextPage: page.pageInfo.hasNextPage, endCursor: page.pageInfo.endCursor, maxUpdatedAt }, cost);
  Checkpoint.set(spec.stream, next.state, { hasMore: next.hasMore });

  return api.json({
    stream: spec.stream,
    fetched: page.nodes.length,
    accepted: ingested.accepted,
    rejected: ingested.rejected,
    errors: ingested.errors.map((e) => ({ key: keys[e.index], path: e.path, message: e.message })),
    skipped,
    hasMore: next.hasMore,
  });
}
