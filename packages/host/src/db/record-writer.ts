// The hot path of a sync: one page of records into the records table. The statements are
// prepared once per database and reused for every record (compiling a Kysely query and
// preparing it again for each record cost more than the write itself), each payload is
// serialised once (its canonical JSON is both what is stored and what is hashed), and what a
// record does to the stored one is the SDK's decision, as in the test runtime.
// better-sqlite3 is synchronous and shares the connection with Kysely, so these run inside
// the caller's transaction.
import type BetterSqlite3 from "better-sqlite3";
import { canonicalPayload, decideRecordCommit, recordVersion } from "@backfill-io/sdk/policy";

export type PageItem = { idempotencyKey: string; payload: unknown };
export type PageBatch = { kind: string; items: readonly PageItem[] };
export type CommitPageResult = { inserted: number; updated: number; unchanged: number; suppressed: number; stale: number };

type StoredRow = { id: number; payload_hash: string | null; tombstoned_at: number | null; provider_version: number | null };

function stringField(payload: unknown, field: string): string | null {
  const value = ((payload ?? {}) as Record<string, unknown>)[field];
  return typeof value === "string" && value ? value : null;
}

/** The ids redaction selects by, kept in columns beside the payload. */
export function identityColumns(kind: string, payload: unknown): { customer_id: string | null; receipt_id: string | null } {
  return { customer_id: stringField(payload, "customer_id"), receipt_id: kind === "customer" ? null : stringField(payload, "receipt_id") };
}

export class SqliteRecordWriter {
  private readonly select: BetterSqlite3.Statement<[string, string, string], StoredRow>;
  private readonly insert: BetterSqlite3.Statement;
  private readonly update: BetterSqlite3.Statement;
  private readonly touch: BetterSqlite3.Statement;
  private readonly maxSeq: BetterSqlite3.Statement<[], { max: number | null }>;

  constructor(sqlite: BetterSqlite3.Database) {
    this.select = sqlite.prepare("select id, payload_hash, tombstoned_at, provider_version from records where connection_id = ? and kind = ? and idempotency_key = ?");
    this.insert = sqlite.prepare(
      `insert into records (connection_id, kind, idempotency_key, stream, customer_id, receipt_id, payload_json, payload_hash, provider_version, first_seen, last_seen, tombstoned_at, change_seq, deleted_at, tombstone_reason)
       values (@connection_id, @kind, @idempotency_key, @stream, @customer_id, @receipt_id, @payload_json, @payload_hash, @provider_version, @now, @now, null, @change_seq, null, null)`,
    );
    this.update = sqlite.prepare(
      "update records set payload_json = @payload_json, payload_hash = @payload_hash, provider_version = @provider_version, customer_id = @customer_id, receipt_id = @receipt_id, stream = @stream, last_seen = @now, change_seq = @change_seq where id = @id",
    );
    this.touch = sqlite.prepare("update records set last_seen = ? where id = ?");
    this.maxSeq = sqlite.prepare("select max(change_seq) as max from records");
  }

  /** Writes one page's records; run inside the page's transaction (with its checkpoint). */
  commit(connectionId: string, stream: string, batches: readonly PageBatch[], now: number): CommitPageResult {
    const result: CommitPageResult = { inserted: 0, updated: 0, unchanged: 0, suppressed: 0, stale: 0 };
    let seq = Number(this.maxSeq.get()?.max ?? 0);
    for (const batch of batches) {
      for (const item of batch.items) {
        const { json, hash } = canonicalPayload(item.payload);
        const version = recordVersion(batch.kind, item.payload);
        const row = this.select.get(connectionId, batch.kind, item.idempotencyKey);
        const decision = decideRecordCommit(row && { tombstoned: row.tombstoned_at !== null, payloadHash: row.payload_hash, version: row.provider_version }, { payloadHash: hash, version });
        const values = { payload_json: json, payload_hash: hash, provider_version: version, stream, now, ...identityColumns(batch.kind, item.payload) };
        if (decision === "insert") {
          this.insert.run({ ...values, connection_id: connectionId, kind: batch.kind, idempotency_key: item.idempotencyKey, change_seq: ++seq });
          result.inserted++;
        } else if (decision === "update") {
          this.update.run({ ...values, id: row!.id, change_seq: ++seq });
          result.updated++;
        } else if (decision === "unchanged") {
          this.touch.run(now, row!.id);
          result.unchanged++;
        } else result[decision]++;
      }
    }
    return result;
  }
}
