// Stored records and their changes feed: listing, counting, searching, provider deletions
// (tombstones) and redaction. A page's upserts are the record writers' (record-writer*.ts),
// committed with the stream's checkpoint by Store.commitPage. Payloads come back decoded.
import { sql, type Selectable } from "kysely";
import { z } from "zod";
import type { RecordsRedaction } from "@backfill-io/sdk";
import { decideRecordDelete, type RecordDeleteDecision, type StoredRecordState } from "@backfill-io/sdk/policy";
import { lockRecordChanges } from "../dialect.js";
import type { RecordsTable } from "../schema.js";
import type { RepositoryContext, StoreExecutor, TransactionalContext } from "./context.js";
import { decodeNullableJsonColumn } from "./json-columns.js";

/** A record with its payload decoded; `payload` is null once the record is a tombstone. */
export type RecordRow = Omit<Selectable<RecordsTable>, "payload_json"> & { payload: unknown };

export type RecordDeletion = { kind: string; idempotencyKey: string; deletedAt: number | null; stream?: string };

const ANY_JSON = z.unknown();

function decodeRecord(row: Selectable<RecordsTable>): RecordRow {
  const { payload_json, ...columns } = row;
  return { ...columns, payload: decodeNullableJsonColumn("records.payload_json", String(row.id), payload_json, ANY_JSON) };
}

/**
 * The change-sequence allocator of this transaction: each call returns the next number.
 * Inside a write transaction (SQLite: BEGIN IMMEDIATE; PostgreSQL: the records-change
 * advisory lock, held to commit) nothing else allocates meanwhile.
 */
export async function changeSequence(db: StoreExecutor): Promise<() => number> {
  await lockRecordChanges(db);
  const row = await db
    .selectFrom("records")
    .select((eb) => eb.fn.max("change_seq").as("max"))
    .executeTakeFirst();
  let last = Number(row?.max ?? 0);
  return () => ++last;
}

export class RecordsRepository {
  constructor(private readonly ctx: TransactionalContext) {}

  /**
   * Provider deletions: each record becomes a deletion tombstone (payload dropped, the
   * provider's deletion time kept); a record never stored gets a tombstone too, so a late,
   * older upsert cannot create it. The decision is the SDK's, as in the test runtime.
   */
  async delete(connectionId: string, deletions: readonly RecordDeletion[]): Promise<Record<RecordDeleteDecision, number>> {
    return this.ctx.transaction(async (tx) => {
      const now = tx.now();
      const seq = await changeSequence(tx.db);
      const counts: Record<RecordDeleteDecision, number> = { delete: 0, tombstone: 0, already_deleted: 0, stale: 0 };
      for (const d of deletions) {
        const existing = await storedRecordState(tx, connectionId, d.kind, d.idempotencyKey);
        const decision = decideRecordDelete(existing?.state, d.deletedAt);
        counts[decision]++;
        const tombstone = {
          payload_json: null,
          payload_hash: null,
          tombstoned_at: now,
          deleted_at: d.deletedAt ?? now,
          tombstone_reason: "deleted" as const,
          change_seq: 0,
          last_seen: now,
        };
        if (decision === "delete") {
          await tx.db
            .updateTable("records")
            .set({ ...tombstone, change_seq: seq() })
            .where("id", "=", existing!.id)
            .execute();
        } else if (decision === "tombstone") {
          await tx.db
            .insertInto("records")
            .values({
              connection_id: connectionId,
              kind: d.kind,
              idempotency_key: d.idempotencyKey,
              stream: d.stream ?? null,
              customer_id: null,
              receipt_id: null,
              provider_version: d.deletedAt,
              first_seen: now,
              ...tombstone,
              change_seq: seq(),
            })
            .execute();
        }
      }
      return counts;
    });
  }

  /**
   * Tombstones matching records: the payload is dropped, the identity kept so it is not
   * re-ingested. Selectors combine with OR (any record they name), narrowed by `kind`.
   */
  async redact(connectionId: string, selector: RecordsRedaction): Promise<{ redacted: number }> {
    const { customerId, idempotencyKeys = [], receiptIds = [] } = selector;
    if (!selector.all && !customerId && !idempotencyKeys.length && !receiptIds.length) return { redacted: 0 };
    return this.ctx.transaction(async (tx) => {
      await lockRecordChanges(tx.db);
      return redactLocked(tx, connectionId, selector);
    });
  }

  /** What the SDK's commit decisions need of a stored record (a dry run's "what would change"). */
  async state(connectionId: string, kind: string, idempotencyKey: string): Promise<StoredRecordState | undefined> {
    return (await storedRecordState(this.ctx, connectionId, kind, idempotencyKey))?.state;
  }

  /**
   * The changes feed: records of the connection changed after `afterSeq` (upserts, deletions
   * and redactions alike), in change order, so a consumer can mirror the store exactly.
   */
  async listChanges(connectionId: string, opts: { kind?: string; afterSeq?: number; limit?: number } = {}): Promise<RecordRow[]> {
    let q = this.ctx.db
      .selectFrom("records")
      .selectAll()
      .where("connection_id", "=", connectionId)
      .where("change_seq", ">", opts.afterSeq ?? 0);
    if (opts.kind) q = q.where("kind", "=", opts.kind);
    return (
      await q
        .orderBy("change_seq")
        .limit(opts.limit ?? 1000)
        .execute()
    ).map(decodeRecord);
  }

  async list(connectionId: string, opts: { kind?: string; includeTombstoned?: boolean; limit?: number; afterId?: number } = {}): Promise<RecordRow[]> {
    let q = this.ctx.db.selectFrom("records").selectAll().where("connection_id", "=", connectionId);
    if (opts.kind) q = q.where("kind", "=", opts.kind);
    if (!opts.includeTombstoned) q = q.where("tombstoned_at", "is", null);
    if (opts.afterId !== undefined) q = q.where("id", ">", opts.afterId);
    return (
      await q
        .orderBy("id")
        .limit(opts.limit ?? 1000)
        .execute()
    ).map(decodeRecord);
  }

  /** Records of a connection whose idempotency key contains `key` (case-sensitive), newest first. */
  async searchByKey(connectionId: string, opts: { kind?: string; key: string; limit?: number }): Promise<RecordRow[]> {
    let q = this.ctx.db.selectFrom("records").selectAll().where("connection_id", "=", connectionId);
    if (opts.kind) q = q.where("kind", "=", opts.kind);
    const pattern = `%${opts.key.replace(/[\\%_]/g, (ch) => `\\${ch}`)}%`;
    q = q.where(sql<boolean>`idempotency_key like ${pattern} escape '\\'`);
    return (
      await q
        .orderBy("id", "desc")
        .limit(opts.limit ?? 100)
        .execute()
    ).map(decodeRecord);
  }

  /** Live (not tombstoned) records of the connection, of `kind` when given. */
  async count(connectionId: string, kind?: string): Promise<number> {
    let q = this.ctx.db
      .selectFrom("records")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .where("connection_id", "=", connectionId)
      .where("tombstoned_at", "is", null);
    if (kind) q = q.where("kind", "=", kind);
    const row = await q.executeTakeFirstOrThrow();
    return Number(row.n);
  }

  /** How many records of `kind` of these connections are tombstones (deleted or redacted). */
  async countTombstoned(connectionIds: readonly string[], kind: string): Promise<number> {
    if (!connectionIds.length) return 0;
    const row = await this.ctx.db
      .selectFrom("records")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .where("connection_id", "in", connectionIds)
      .where("kind", "=", kind)
      .where("tombstoned_at", "is not", null)
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }
}

/** A stored record's row id and what the SDK's commit decisions need of it. */
async function storedRecordState(
  ctx: RepositoryContext,
  connectionId: string,
  kind: string,
  idempotencyKey: string,
): Promise<{ id: number; state: StoredRecordState } | undefined> {
  const row = await ctx.db
    .selectFrom("records")
    .select(["id", "payload_hash", "tombstoned_at", "provider_version"])
    .where("connection_id", "=", connectionId)
    .where("kind", "=", kind)
    .where("idempotency_key", "=", idempotencyKey)
    .executeTakeFirst();
  return row && { id: row.id, state: { tombstoned: row.tombstoned_at !== null, payloadHash: row.payload_hash, version: row.provider_version } };
}

async function redactLocked(ctx: RepositoryContext, connectionId: string, selector: RecordsRedaction): Promise<{ redacted: number }> {
  const { customerId, idempotencyKeys = [], receiptIds = [] } = selector;
  let q = ctx.db
    .updateTable("records")
    // One change each, after every change so far (ids are unique, so max + id is too).
    .set((eb) => ({
      payload_json: null,
      payload_hash: null,
      tombstoned_at: ctx.now(),
      tombstone_reason: "redacted" as const,
      change_seq: sql<number>`(select coalesce(max(change_seq), 0) from records) + ${eb.ref("id")}`,
    }))
    .where("connection_id", "=", connectionId)
    .where("tombstoned_at", "is", null);
  if (selector.kind) q = q.where("kind", "=", selector.kind);
  if (!selector.all) {
    q = q.where((eb) => {
      const any = [];
      if (customerId) {
        any.push(eb("customer_id", "=", customerId));
        any.push(eb.and([eb("kind", "=", "customer"), eb("idempotency_key", "in", [customerId, `customer:${customerId}`])]));
      }
      if (idempotencyKeys.length) any.push(eb("idempotency_key", "in", idempotencyKeys));
      if (receiptIds.length) any.push(eb("receipt_id", "in", receiptIds));
      return eb.or(any);
    });
  }
  const r = await q.executeTakeFirst();
  return { redacted: Number(r.numUpdatedRows) };
}
