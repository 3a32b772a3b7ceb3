// What one route invocation asked to write. Nothing here is stored until the caller
// commits it, and the caller commits only when the route answered 2xx.
import type { CheckpointState, ConnectionStatusChange, EntityKind, RecordsRedaction } from "@backfill-io/sdk";
import type { CanonicalPayload } from "@backfill-io/sdk/policy";

/**
 * `canonical`: the payload serialised and hashed when it was staged (while the sync's next page
 * waits for its provider), so the page's commit only writes.
 */
export type StagedRecord = { kind: EntityKind; stream?: string; idempotencyKey: string; payload: Record<string, unknown>; canonical?: CanonicalPayload };
export type StagedDeletion = { kind: EntityKind; stream?: string; idempotencyKey: string; deletedAt: number | null };
export type StagedCheckpoint = { stream: string; state: CheckpointState; hasMore: boolean; pauseSeconds?: number };

export type StagedWrites = {
  records: StagedRecord[];
  /** Last checkpoint set per stream during the invocation. */
  checkpoints: StagedCheckpoint[];
  redactions: RecordsRedaction[];
  /** Provider deletions (Records.delete), tombstoned with the page. */
  deletions: StagedDeletion[];
  connectionStatus?: ConnectionStatusChange;
  /** Webhook delivery ids the route marked processed (Webhooks.markProcessed). */
  webhookDeliveries: string[];
  accepted: number;
  rejected: number;
  /** Files this invocation downloaded: unreachable when it fails (its checkpoint is not committed), so removed then. */
  downloadedFiles: string[];
};

export function emptyStaged(): StagedWrites {
  return { records: [], checkpoints: [], redactions: [], deletions: [], webhookDeliveries: [], accepted: 0, rejected: 0, downloadedFiles: [] };
}
