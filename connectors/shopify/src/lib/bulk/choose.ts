// Bulk or paged, per pass: a pass (a full backfill, or an incremental window) that would read
// at least `minRecords` records runs as a bulk pass, a smaller one pages. The size comes from
// a count query with the pass's search (ordersCount / customersCount: a few points). A bulk
// pass under way continues whatever a count would say now.
import { syncStreamPage } from "@backfill-io/oauth-helpers";
import { AdminSession } from "../follow-ups.js";
import { passSince, stateOrEmpty, updatedSinceQuery, type StreamState } from "../stream-state.js";
import { shopifyFailureResponse } from "../provider-failure.js";
import { pagedStream, type StreamSpec } from "../sync-stream.js";
import { bulkStep, commitPlannedPass, newBulkState, readBulkState, type BulkSpec } from "./bulk-pass.js";

export type BulkStreamSpec<N> = BulkSpec<N> & {
  countDocument: string;
  count: (data: Record<string, unknown>) => number | undefined;
  oldestDocument: string;
  oldest: (data: Record<string, unknown>) => string | undefined;
  /** A pass expected to read at least this many records runs in bulk. */
  minRecords: number;
};

type Choice = { mode: "paged" } | { mode: "bulk"; oldest: string } | { mode: "failed"; response: Response };

/** Counts what the pass would read and picks its mode. */
export function choosePassMode<N>(session: AdminSession, spec: BulkStreamSpec<N>, query: string | undefined, stream: string): Choice {
  const counted = session.query<Record<string, unknown>>(spec.countDocument, query ? { query } : {});
  if (counted.kind !== "data") return { mode: "failed", response: shopifyFailureResponse(counted, stream) };
  const count = spec.count(counted.data) ?? 0;
  if (count < spec.minRecords) return { mode: "paged" };
  const oldest = session.query<Record<string, unknown>>(spec.oldestDocument, query ? { query } : {});
  if (oldest.kind !== "data") return { mode: "failed", response: shopifyFailureResponse(oldest, stream) };
  const at = spec.oldest(oldest.data);
  return at ? { mode: "bulk", oldest: at } : { mode: "paged" };
}

/**
 * The bulk path of a stream, as the engine's `alternate` step: the bulk pass under way, or
 * a new pass large enough for bulk (committed as planned); undefined lets the page path run.
 */
function bulkOrPage<N>(spec: StreamSpec<unknown, N>, bulk: BulkStreamSpec<N>, stored: StreamState | undefined, now: number): Response | undefined {
  const state = stateOrEmpty(stored);
  const running = readBulkState(state.bulk);
  if (running) return bulkStep(spec, bulk, state, running, now);
  if (state.cursor) return undefined;
  const since = passSince(state, spec.lookbackMs);
  const choice = choosePassMode(new AdminSession(), bulk, updatedSinceQuery(since, "instant"), spec.stream);
  if (choice.mode === "failed") return choice.response;
  if (choice.mode === "paged") return undefined;
  return commitPlannedPass(spec, { ...state, since }, newBulkState(choice.oldest));
}

/** One invocation of a stream: the bulk pass under way, a new pass in the mode its size calls for, or the next page. */
export function syncStream<D, N>(spec: StreamSpec<D, N>): Response {
  const { bulk } = spec;
  const engine = pagedStream(spec, bulk ? (stored, { now }) => bulkOrPage(spec as StreamSpec<unknown, N>, bulk, stored, now) : undefined);
  return syncStreamPage(engine);
}
