// Stores what a successful route invocation staged, in one transaction: records and
// checkpoints per stream (via Store.commitPage), record redactions, a revocation, and
// the webhook deliveries the route marked processed. A sync commits several pages in one
// transaction when they come faster than it commits (commitStagedPages).
import type { PageBatch, Store } from "../store/store.js";
import type { StagedWrites } from "../runner/staging.js";
import { setImmediate as nextTurn } from "node:timers/promises";
import { emitAuthEvent } from "../events/auth-events.js";

/**
 * `duplicate_delivery`: a webhook delivery the route marked processed was committed by
 * another invocation meanwhile (two copies of one delivery in flight): nothing of this
 * one was written.
 */
export type CommitStagedResult = { committed: true } | { committed: false; reason: typeof DUPLICATE_DELIVERY | typeof STREAM_LOCK_LOST };

export const DUPLICATE_DELIVERY = "duplicate_delivery";
/** The sync's stream lock is another owner's now (it expired and was taken over): nothing of the page was written. */
export const STREAM_LOCK_LOST = "stream_lock_lost";

class DuplicateDelivery extends Error {}
class StreamLockLost extends Error {}

/** The stream lock a sync page commits under: renewed in the page's transaction, or the page is not written. */
export type CommitLock = { stream: string; owner: string; ttlMs: number };

export async function commitStaged(
  store: Store,
  connectionId: string,
  staged: StagedWrites,
  opts: { defaultStream: string; runId?: string; lock?: CommitLock },
): Promise<CommitStagedResult> {
  return commitStagedPages(store, connectionId, [staged], opts);
}

/**
 * Several pages of a sync in one transaction, each written as commitStaged writes it, in
 * order (a later page's record or checkpoint replaces an earlier one's, as it would have page
 * by page): one lock renewal and one run-counter update for all of them. All are written or
 * none.
 */
export async function commitStagedPages(
  store: Store,
  connectionId: string,
  pages: readonly StagedWrites[],
  opts: { defaultStream: string; runId?: string; lock?: CommitLock },
): Promise<CommitStagedResult> {
  try {
    await store.transaction(async (tx) => {
      // The page's lock renewal, in its own transaction: one write fewer per page, and a page
      // that ran while another owner took the stream is never written.
      if (opts.lock && !(await tx.streamLocks.tryLock(connectionId, opts.lock.stream, opts.lock.owner, opts.lock.ttlMs))) throw new StreamLockLost();
      for (const [index, staged] of pages.entries()) {
        // Between pages the event loop turns, as within a long page (record-writer.ts WRITE_SLICE_MS).
        if (index > 0) await nextTurn();
        await writeStaged(tx, connectionId, staged, opts.defaultStream);
      }
      if (opts.runId) {
        const counts = { pages: pages.length, accepted: 0, rejected: 0 };
        for (const staged of pages) {
          counts.accepted += staged.accepted;
          counts.rejected += staged.rejected;
        }
        await tx.syncRuns.increment(opts.runId, counts);
      }
    });
  } catch (error) {
    if (error instanceof DuplicateDelivery) return { committed: false, reason: DUPLICATE_DELIVERY };
    if (error instanceof StreamLockLost) return { committed: false, reason: STREAM_LOCK_LOST };
    throw error;
  }
  return { committed: true };
}

/** One invocation's writes, inside the caller's transaction. */
async function writeStaged(tx: Store, connectionId: string, staged: StagedWrites, defaultStream: string): Promise<void> {
  const streams = new Map<string, Map<string, PageBatch["items"][number][]>>();
  const batchOf = (stream: string, kind: string) => {
    let kinds = streams.get(stream);
    if (!kinds) streams.set(stream, (kinds = new Map<string, PageBatch["items"][number][]>()));
    let items = kinds.get(kind);
    if (!items) kinds.set(kind, (items = []));
    return items;
  };
  for (const r of staged.records)
    batchOf(r.stream ?? defaultStream, r.kind).push({ idempotencyKey: r.idempotencyKey, payload: r.payload, ...(r.canonical ? { canonical: r.canonical } : {}) });
  for (const c of staged.checkpoints) if (!streams.has(c.stream)) streams.set(c.stream, new Map());
  const deliveries = [...new Set(staged.webhookDeliveries)];
  // First, so a concurrent copy of the same delivery rolls back before writing anything.
  if (deliveries.length && (await tx.webhookDeliveries.claim(connectionId, deliveries)) < deliveries.length) throw new DuplicateDelivery();
  for (const [stream, kinds] of streams) {
    const checkpoint = staged.checkpoints.find((c) => c.stream === stream);
    await tx.commitPage(
      connectionId,
      stream,
      [...kinds].map(([kind, items]) => ({ kind, items })),
      checkpoint?.state ?? null,
    );
  }
  if (staged.deletions.length) await tx.records.delete(connectionId, staged.deletions);
  for (const selector of staged.redactions) await tx.records.redact(connectionId, selector);
  if (staged.connectionStatus?.status === "revoked") {
    await tx.connections.setStatus(connectionId, "revoked", staged.connectionStatus.reason || "revoked");
    await emitAuthEvent(tx, "connection.revoked", connectionId);
  }
}
