// One page of records into PostgreSQL: one read of the stored rows the page names, the SDK's
// decision per record (as the SQLite writer and the test runtime make it), then one batched
// `INSERT … ON CONFLICT … DO UPDATE … WHERE the payload changed` for the inserts and updates
// and one UPDATE for the unchanged rows' last_seen, all in the page's transaction. The
// caller holds the records-change lock (lockRecordChanges), so nothing else writes records
// between the read and the writes and the change sequence it hands out is gap-free in order.
import { sql, type Transaction } from "kysely";
import { canonicalPayload, decideRecordCommit, recordVersion, type StoredRecordState } from "@backfill-io/sdk/policy";
import { identityColumns, type CommitPageResult, type PageBatch } from "./record-writer.js";
import type { Database } from "./schema.js";

type RecordWrite = {
  connection_id: string;
  kind: string;
  idempotency_key: string;
  stream: string;
  customer_id: string | null;
  receipt_id: string | null;
  payload_json: string;
  payload_hash: string;
  provider_version: number | null;
  first_seen: number;
  last_seen: number;
  change_seq: number;
};

type Stored = StoredRecordState & { id: number | undefined };

/** Rows per INSERT: 12 parameters each, well under PostgreSQL's 65,535 per statement. */
const INSERT_CHUNK = 1000;

const identityKey = (kind: string, idempotencyKey: string) => `${kind}\u0000${idempotencyKey}`;

async function readStored(tx: Transaction<Database>, connectionId: string, batches: readonly PageBatch[]): Promise<Map<string, Stored>> {
  const stored = new Map<string, Stored>();
  for (const batch of batches) {
    const keys = [...new Set(batch.items.map((i) => i.idempotencyKey))];
    for (let start = 0; start < keys.length; start += INSERT_CHUNK) {
      const rows = await tx
        .selectFrom("records")
        .select(["id", "idempotency_key", "payload_hash", "tombstoned_at", "provider_version"])
        .where("connection_id", "=", connectionId)
        .where("kind", "=", batch.kind)
        .where("idempotency_key", "in", keys.slice(start, start + INSERT_CHUNK))
        .execute();
      for (const row of rows) {
        stored.set(identityKey(batch.kind, row.idempotency_key), {
          id: row.id,
          tombstoned: row.tombstoned_at !== null,
          payloadHash: row.payload_hash,
          version: row.provider_version,
        });
      }
    }
  }
  return stored;
}

export async function commitPagePostgres(
  tx: Transaction<Database>,
  connectionId: string,
  stream: string,
  batches: readonly PageBatch[],
  now: number,
  firstSeq: number,
): Promise<CommitPageResult> {
  const result: CommitPageResult = { inserted: 0, updated: 0, unchanged: 0, suppressed: 0, stale: 0 };
  const stored = await readStored(tx, connectionId, batches);
  // The last write of a key wins (a key twice in one page is written once, as its final state).
  const writes = new Map<string, RecordWrite>();
  const touched = new Set<number>();
  let seq = firstSeq;
  for (const batch of batches) {
    for (const item of batch.items) {
      const key = identityKey(batch.kind, item.idempotencyKey);
      const { json, hash } = item.canonical ?? canonicalPayload(item.payload);
      const version = recordVersion(batch.kind, item.payload);
      const current = stored.get(key);
      const decision = decideRecordCommit(current, { payloadHash: hash, version });
      result[decision === "insert" ? "inserted" : decision === "update" ? "updated" : decision]++;
      if (decision === "unchanged") {
        if (current?.id !== undefined) touched.add(current.id);
        continue;
      }
      if (decision !== "insert" && decision !== "update") continue;
      writes.set(key, {
        connection_id: connectionId,
        kind: batch.kind,
        idempotency_key: item.idempotencyKey,
        stream,
        ...identityColumns(batch.kind, item.payload),
        payload_json: json,
        payload_hash: hash,
        provider_version: version,
        first_seen: now,
        last_seen: now,
        change_seq: ++seq,
      });
      // What the next occurrence of this key in the page is decided against.
      stored.set(key, { id: current?.id, tombstoned: false, payloadHash: hash, version });
    }
  }
  const rows = [...writes.values()];
  for (let start = 0; start < rows.length; start += INSERT_CHUNK) {
    await tx
      .insertInto("records")
      .values(rows.slice(start, start + INSERT_CHUNK).map((row) => ({ ...row, tombstoned_at: null, deleted_at: null, tombstone_reason: null })))
      .onConflict((oc) =>
        oc
          .columns(["connection_id", "kind", "idempotency_key"])
          .doUpdateSet((eb) => ({
            payload_json: eb.ref("excluded.payload_json"),
            payload_hash: eb.ref("excluded.payload_hash"),
            provider_version: eb.ref("excluded.provider_version"),
            customer_id: eb.ref("excluded.customer_id"),
            receipt_id: eb.ref("excluded.receipt_id"),
            stream: eb.ref("excluded.stream"),
            last_seen: eb.ref("excluded.last_seen"),
            change_seq: eb.ref("excluded.change_seq"),
          }))
          // Only a changed payload is written: the decision above already said so, this keeps it true.
          .where(sql<boolean>`records.payload_hash is distinct from excluded.payload_hash`),
      )
      .execute();
  }
  if (touched.size) {
    // A row both touched and then rewritten later in the page keeps the rewrite's last_seen (the same `now`).
    await tx
      .updateTable("records")
      .set({ last_seen: now })
      .where("id", "in", [...touched])
      .execute();
  }
  return result;
}
