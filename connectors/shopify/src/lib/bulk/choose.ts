// Bulk or paged, per pass: a pass (a full backfill, or an incremental window) that would read
// at least `minRecords` records runs as a bulk pass, a smaller one pages. The size comes from
// a count query with the pass's search (ordersCount / customersCount: a few points). A bulk
// pass under way continues whatever a count would say now.
import { Checkpoint } from "@backfill-io/sdk";
import { AdminSession } from "../follow-ups.js";
import { passSince, readState, updatedSinceQuery } from "../incremental.js";
import { providerFailureResponse } from "../provider-failure.js";
import { syncPage, type StreamSpec } from "../sync-stream.js";
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
  if (counted.kind !== "data") return { mode: "failed", response: providerFailureResponse(counted, stream) };
  const count = spec.count(counted.data) ?? 0;
  if (count < spec.minRecords) return { mode: "paged" };
  const oldest = session.query<Record<string, unknown>>(spec.oldestDocument, query ? { query } : {});
  if (oldest.kind !== "data") return { mode: "failed", response: providerFailureResponse(oldest, stream) };
  const at = spec.oldest(oldest.data);
  return at ? { mode: "bulk", oldest: at } : { mode: "paged" };
}

/** One invocation of a stream: the bulk pass under way, a new pass in the mode its size calls for, or the next page. */
export function syncStream<D, N>(spec: StreamSpec<D, N>, now = Date.now()): Response {
  const state = readState(Checkpoint.get(spec.stream));
  const bulk = spec.bulk;
  if (!bulk) return syncPage(spec, now);
  const running = readBulkState(state.bulk);
  if (running) return bulkStep(spec, bulk, state, running, now);
  if (state.cursor) return syncPage(spec, now);
  const since = passSince(state, spec.lookbackMs);
  const choice = choosePassMode(new AdminSession(), bulk, updatedSinceQuery(since, "instant"), spec.stream);
  if (choice.mode === "failed") return choice.response;
  if (choice.mode === "paged") return syncPage(spec, now);
  return commitPlannedPass(spec, { ...state, since }, newBulkState(choice.oldest));
}
