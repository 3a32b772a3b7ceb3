// The typed queries of the host. One Store wraps a Kysely instance or a transaction;
// `transaction(fn)` hands `fn` a Store bound to the transaction, so multi-step writes
// (a page of records and its checkpoint, a refreshed token pair) commit together.
import { randomUUID } from "node:crypto";
import type BetterSqlite3 from "better-sqlite3";
import { sql, type Kysely, type Transaction } from "kysely";
import { SqliteRecordWriter, type CommitPageResult, type PageBatch } from "./record-writer.js";
import { commitPagePostgres } from "./record-writer-postgres.js";
import { dialectOf, lockRecordChanges, type DatabaseDialect } from "./dialect.js";
import { scrubFreedPages, type ScrubResult } from "./compact.js";
import { KeyringRepository } from "./repositories/keyring.js";
import { WebhookJobsRepository } from "./repositories/webhook-jobs.js";
import { SchedulesRepository } from "./repositories/schedules.js";
import { AuthWebhookOutboxRepository } from "./repositories/auth-webhook-outbox.js";
import { EncryptedValuesRepository } from "./repositories/encrypted-values.js";
import type { CheckpointState, RecordsRedaction } from "@backfill-io/sdk";
import { redact, WEBHOOK_DELIVERY_RETENTION_MS } from "@backfill-io/sdk";
import { decideRecordDelete, type RecordDeleteDecision, type StoredRecordState } from "@backfill-io/sdk/policy";
import type {
  AuditLogRow,
  AuthWebhookDeliveryRow,
  AuthWebhookDeliveryStatus,
  ConnectionRow,
  ConnectionStatus,
  ConnectSessionRow,
  ConnectSessionsTable,
  Database,
  HostApiKeyRow,
  OAuthTokenRow,
  OAuthTokensTable,
  PendingAuthorizationRow,
  PendingAuthorizationsTable,
  RecordRow,
  SyncRunRow,
  SyncRunStatus,
} from "./schema.js";

/** `stale` in CommitPageResult: an older version than the stored one, ignored (policy/commit.ts decides). */
export type { CommitPageResult, PageBatch, PageItem } from "./record-writer.js";

export type NewConnection = {
  id?: string;
  connectorKey: string;
  connectorVersion: string;
  settings: Record<string, unknown>;
  status?: ConnectionStatus;
  endUser?: EndUser | null;
  tags?: Record<string, string>;
};

/** Who the operator connects a provider account for (Nango's end user). */
export type EndUser = { id: string; email?: string; displayName?: string };

export type ConnectionPatch = Partial<{
  connectorVersion: string;
  settings: Record<string, unknown>;
  status: ConnectionStatus;
  statusReason: string | null;
  providerAccountId: string | null;
  providerAccountName: string | null;
  providerAccountDomain: string | null;
  connectedAt: number | null;
}>;

export type SyncRunPatch = Partial<Pick<SyncRunRow, "status" | "pages" | "accepted" | "rejected" | "retries" | "finished_at" | "outcome" | "error">>;

// The payload hash is the SDK policy's, so the test runtime's "unchanged" is the store's.
export { canonicalJson, payloadHash } from "@backfill-io/sdk/policy";


/** One record writer (its prepared statements) per database connection. */
const writers = new WeakMap<BetterSqlite3.Database, SqliteRecordWriter>();

export class Store {
  constructor(
    readonly db: Kysely<Database> | Transaction<Database>,
    private readonly clock: () => number = Date.now,
    /** The connection under `db`: the record writer's prepared statements run on it. */
    private readonly sqlite?: BetterSqlite3.Database,
  ) {}

  now(): number {
    return this.clock();
  }

  get dialect(): DatabaseDialect {
    return dialectOf(this.db);
  }

  /** After a key rotation: no free page keeps old key material (see compact.ts). Outside a transaction. */
  async scrubFreedPages(): Promise<ScrubResult> {
    if (this.db.isTransaction) throw new Error("scrubFreedPages runs outside a transaction");
    return scrubFreedPages(this.db);
  }

  // ---- repositories ----------------------------------------------------------------

  /** The vault's wrapped data keys and keyring generation. */
  get keyring(): KeyringRepository {
    return new KeyringRepository(this);
  }

  /** Every sealed value, by encrypted column (key rotation). */
  get encryptedValues(): EncryptedValuesRepository {
    return new EncryptedValuesRepository(this);
  }

  /** Verified webhook deliveries waiting for a queue worker. */
  get webhookJobs(): WebhookJobsRepository {
    return new WebhookJobsRepository(this);
  }

  /** Claims on the auth-webhook outbox (one sender per event across servers). */
  get authWebhookOutbox(): AuthWebhookOutboxRepository {
    return new AuthWebhookOutboxRepository(this);
  }

  /** Per-connection overrides of stream schedules. */
  get schedules(): SchedulesRepository {
    return new SchedulesRepository(this);
  }

  /** Runs `fn` in one transaction; nested calls reuse the outer transaction. */
  async transaction<T>(fn: (tx: Store) => Promise<T>): Promise<T> {
    if (this.db.isTransaction) return fn(this);
    return this.db.transaction().execute((trx) => fn(new Store(trx, this.clock, this.sqlite)));
  }

  // ---- OAuth app credentials -------------------------------------------------------

  async upsertOAuthAppCredential(credentialKey: string, clientId: string, clientSecretEnc: string): Promise<void> {
    const now = this.now();
    await this.db
      .insertInto("oauth_app_credentials")
      .values({ credential_key: credentialKey, client_id: clientId, client_secret_enc: clientSecretEnc, created_at: now, updated_at: now, rejected_at: null, rejected_reason: null })
      .onConflict((oc) => oc.column("credential_key").doUpdateSet({ client_id: clientId, client_secret_enc: clientSecretEnc, updated_at: now, rejected_at: null, rejected_reason: null }))
      .execute();
  }

  async getOAuthAppCredential(credentialKey: string) {
    return this.db.selectFrom("oauth_app_credentials").selectAll().where("credential_key", "=", credentialKey).executeTakeFirst();
  }

  /** Without the secret column. */
  async listOAuthAppCredentials() {
    return this.db
      .selectFrom("oauth_app_credentials")
      .select(["credential_key", "client_id", "created_at", "updated_at", "rejected_at", "rejected_reason"])
      .orderBy("credential_key")
      .execute();
  }

  /** Marks the credential refused by the provider (invalid_client). */
  async markOAuthAppCredentialRejected(credentialKey: string, reason: string): Promise<void> {
    await this.db.updateTable("oauth_app_credentials").set({ rejected_at: this.now(), rejected_reason: reason.slice(0, 200) }).where("credential_key", "=", credentialKey).execute();
  }

  async deleteOAuthAppCredential(credentialKey: string): Promise<boolean> {
    const r = await this.db.deleteFrom("oauth_app_credentials").where("credential_key", "=", credentialKey).executeTakeFirst();
    return Number(r.numDeletedRows) > 0;
  }

  // ---- connections ---------------------------------------------------------------

  async createConnection(input: NewConnection): Promise<ConnectionRow> {
    const now = this.now();
    const row: ConnectionRow = {
      id: input.id ?? `conn_${randomUUID().replaceAll("-", "")}`,
      connector_key: input.connectorKey,
      connector_version: input.connectorVersion,
      settings_json: JSON.stringify(input.settings),
      status: input.status ?? "pending",
      status_reason: null,
      provider_account_id: null,
      provider_account_name: null,
      provider_account_domain: null,
      end_user_json: input.endUser ? JSON.stringify(input.endUser) : null,
      tags_json: JSON.stringify(input.tags ?? {}),
      created_at: now,
      updated_at: now,
      connected_at: null,
    };
    await this.db.insertInto("connections").values(row).execute();
    return row;
  }

  async getConnection(id: string): Promise<ConnectionRow | undefined> {
    return this.db.selectFrom("connections").selectAll().where("id", "=", id).executeTakeFirst();
  }

  async listConnections(filter: { connectorKey?: string; status?: ConnectionStatus } = {}): Promise<ConnectionRow[]> {
    let q = this.db.selectFrom("connections").selectAll();
    if (filter.connectorKey) q = q.where("connector_key", "=", filter.connectorKey);
    if (filter.status) q = q.where("status", "=", filter.status);
    return q.orderBy("created_at").execute();
  }

  async updateConnection(id: string, patch: ConnectionPatch): Promise<void> {
    const set: Partial<ConnectionRow> = { updated_at: this.now() };
    if (patch.connectorVersion !== undefined) set.connector_version = patch.connectorVersion;
    if (patch.settings !== undefined) set.settings_json = JSON.stringify(patch.settings);
    if (patch.status !== undefined) set.status = patch.status;
    if (patch.statusReason !== undefined) set.status_reason = patch.statusReason;
    if (patch.providerAccountId !== undefined) set.provider_account_id = patch.providerAccountId;
    if (patch.providerAccountName !== undefined) set.provider_account_name = patch.providerAccountName;
    if (patch.providerAccountDomain !== undefined) set.provider_account_domain = patch.providerAccountDomain;
    if (patch.connectedAt !== undefined) set.connected_at = patch.connectedAt;
    await this.db.updateTable("connections").set(set).where("id", "=", id).execute();
  }

  async setConnectionStatus(id: string, status: ConnectionStatus, reason: string | null): Promise<void> {
    await this.updateConnection(id, { status, statusReason: reason });
  }

  // ---- OAuth tokens ----------------------------------------------------------------

  async getTokens(connectionId: string): Promise<OAuthTokenRow | undefined> {
    return this.db.selectFrom("oauth_tokens").selectAll().where("connection_id", "=", connectionId).executeTakeFirst();
  }

  /** Replaces the connection's tokens (the lease is cleared). */
  async putTokens(row: Omit<OAuthTokensTable, "refresh_lease_owner" | "refresh_lease_until" | "updated_at">): Promise<void> {
    const full: OAuthTokensTable = { ...row, updated_at: this.now(), refresh_lease_owner: null, refresh_lease_until: null };
    const { connection_id: _id, ...update } = full;
    await this.db
      .insertInto("oauth_tokens")
      .values(full)
      .onConflict((oc) => oc.column("connection_id").doUpdateSet(update))
      .execute();
  }

  async deleteTokens(connectionId: string): Promise<boolean> {
    const r = await this.db.deleteFrom("oauth_tokens").where("connection_id", "=", connectionId).executeTakeFirst();
    return Number(r.numDeletedRows) > 0;
  }

  /**
   * Takes the cross-process refresh lease if it is free or expired. Returns true when
   * `owner` holds it afterwards.
   */
  async acquireRefreshLease(connectionId: string, owner: string, ttlMs: number): Promise<boolean> {
    const now = this.now();
    const r = await this.db
      .updateTable("oauth_tokens")
      .set({ refresh_lease_owner: owner, refresh_lease_until: now + ttlMs })
      .where("connection_id", "=", connectionId)
      .where((eb) =>
        eb.or([eb("refresh_lease_until", "is", null), eb("refresh_lease_until", "<", now), eb("refresh_lease_owner", "=", owner)]),
      )
      .executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }

  /** Extends the lease only while `owner` still holds it; false when it is no longer theirs. */
  async renewRefreshLease(connectionId: string, owner: string, ttlMs: number): Promise<boolean> {
    const row = await this.db
      .updateTable("oauth_tokens")
      .set({ refresh_lease_until: this.now() + ttlMs })
      .where("connection_id", "=", connectionId)
      .where("refresh_lease_owner", "=", owner)
      .returning("connection_id")
      .executeTakeFirst();
    return row !== undefined;
  }

  /** Who holds the refresh lease (null: nobody; undefined: no tokens). */
  async refreshLeaseOwner(connectionId: string): Promise<string | null | undefined> {
    const row = await this.db.selectFrom("oauth_tokens").select("refresh_lease_owner").where("connection_id", "=", connectionId).executeTakeFirst();
    return row?.refresh_lease_owner;
  }

  /** Moves the access token's lifetime (the demo's forced refresh: expired, issued an hour before). */
  async setAccessTokenTimes(connectionId: string, times: { expiresAt: number | null; obtainedAt: number }): Promise<void> {
    await this.db.updateTable("oauth_tokens").set({ expires_at: times.expiresAt, obtained_at: times.obtainedAt }).where("connection_id", "=", connectionId).execute();
  }

  async releaseRefreshLease(connectionId: string, owner: string): Promise<void> {
    await this.db
      .updateTable("oauth_tokens")
      .set({ refresh_lease_owner: null, refresh_lease_until: null })
      .where("connection_id", "=", connectionId)
      .where("refresh_lease_owner", "=", owner)
      .execute();
  }

  /** Tokens whose refresh token lapses before `before` (some providers' die after 90 quiet days). */
  async listRefreshTokensExpiringBefore(before: number): Promise<OAuthTokenRow[]> {
    return this.db
      .selectFrom("oauth_tokens")
      .selectAll()
      .where("refresh_token_enc", "is not", null)
      .where("refresh_expires_at", "<=", before)
      .execute();
  }

  async listAllTokens(): Promise<OAuthTokenRow[]> {
    return this.db.selectFrom("oauth_tokens").selectAll().execute();
  }

  async deleteConnection(id: string): Promise<boolean> {
    const r = await this.db.deleteFrom("connections").where("id", "=", id).executeTakeFirst();
    return Number(r.numDeletedRows) > 0;
  }

  // ---- connect sessions ------------------------------------------------------------

  async insertConnectSession(row: Omit<ConnectSessionsTable, "used_at" | "created_at">): Promise<void> {
    await this.db.insertInto("connect_sessions").values({ ...row, used_at: null, created_at: this.now() }).execute();
  }

  async findConnectSession(tokenHash: string): Promise<ConnectSessionRow | undefined> {
    return this.db.selectFrom("connect_sessions").selectAll().where("token_hash", "=", tokenHash).executeTakeFirst();
  }

  async getConnectSession(id: string): Promise<ConnectSessionRow | undefined> {
    return this.db.selectFrom("connect_sessions").selectAll().where("id", "=", id).executeTakeFirst();
  }

  /** Marks a session used if it is unused and unexpired; false otherwise (single use, atomic). */
  async consumeConnectSession(id: string): Promise<boolean> {
    const now = this.now();
    const row = await this.db
      .updateTable("connect_sessions")
      .set({ used_at: now })
      .where("id", "=", id)
      .where("used_at", "is", null)
      .where("expires_at", ">", now)
      .returning("id")
      .executeTakeFirst();
    return row !== undefined;
  }

  /** Deletes sessions expired more than `graceMs` ago. */
  async pruneConnectSessions(graceMs = 24 * 3600_000): Promise<number> {
    const r = await this.db.deleteFrom("connect_sessions").where("expires_at", "<", this.now() - graceMs).executeTakeFirst();
    return Number(r.numDeletedRows);
  }

  // ---- pending authorizations ------------------------------------------------------

  async insertPendingAuthorization(row: Omit<PendingAuthorizationsTable, "used_at" | "created_at">): Promise<void> {
    await this.db.insertInto("pending_authorizations").values({ ...row, used_at: null, created_at: this.now() }).execute();
  }

  async findPendingAuthorization(stateHash: string): Promise<PendingAuthorizationRow | undefined> {
    return this.db.selectFrom("pending_authorizations").selectAll().where("state_hash", "=", stateHash).executeTakeFirst();
  }

  /** Marks a pending authorization used; false when it already was (a replay). */
  async consumePendingAuthorization(id: string): Promise<boolean> {
    const row = await this.db
      .updateTable("pending_authorizations")
      .set({ used_at: this.now() })
      .where("id", "=", id)
      .where("used_at", "is", null)
      .returning("id")
      .executeTakeFirst();
    return row !== undefined;
  }

  /** Deletes authorizations expired more than `graceMs` ago (their hashes are no longer useful). */
  async prunePendingAuthorizations(graceMs = 3600_000): Promise<number> {
    const r = await this.db.deleteFrom("pending_authorizations").where("expires_at", "<", this.now() - graceMs).executeTakeFirst();
    return Number(r.numDeletedRows);
  }

  // ---- connection secrets (x-secret settings) --------------------------------------

  async putConnectionSecret(connectionId: string, name: string, valueEnc: string): Promise<void> {
    const now = this.now();
    await this.db
      .insertInto("connection_secrets")
      .values({ connection_id: connectionId, name, value_enc: valueEnc, updated_at: now })
      .onConflict((oc) => oc.columns(["connection_id", "name"]).doUpdateSet({ value_enc: valueEnc, updated_at: now }))
      .execute();
  }

  async getConnectionSecret(connectionId: string, name: string): Promise<string | undefined> {
    const row = await this.db
      .selectFrom("connection_secrets")
      .select("value_enc")
      .where("connection_id", "=", connectionId)
      .where("name", "=", name)
      .executeTakeFirst();
    return row?.value_enc;
  }

  async listConnectionSecretNames(connectionId: string): Promise<string[]> {
    const rows = await this.db.selectFrom("connection_secrets").select("name").where("connection_id", "=", connectionId).orderBy("name").execute();
    return rows.map((r) => r.name);
  }

  // ---- records and checkpoints -----------------------------------------------------

  /**
   * Commits one page: upserts its records by (connection, kind, idempotency key) and
   * writes the stream checkpoint, in ONE transaction. What happens to each record is the
   * SDK policy's decideRecordCommit: an unchanged payload (same hash) only moves
   * last_seen; an older version (provider_version) is ignored; a tombstoned (redacted)
   * record is never brought back.
   */
  async commitPage(
    connectionId: string,
    stream: string,
    batches: readonly PageBatch[],
    checkpoint?: CheckpointState | null,
  ): Promise<CommitPageResult> {
    return this.transaction(async (tx) => {
      let result: CommitPageResult;
      if (tx.dialect === "postgres") {
        const seq = await tx.changeSequence();
        result = await commitPagePostgres(tx.db as Transaction<Database>, connectionId, stream, batches, tx.now(), seq() - 1);
      } else {
        result = tx.recordWriter().commit(connectionId, stream, batches, tx.now());
      }
      if (checkpoint) await tx.putCheckpoint(connectionId, stream, checkpoint);
      return result;
    });
  }

  private recordWriter(): SqliteRecordWriter {
    if (!this.sqlite) throw new Error("Store: committing records needs the SQLite handle (new Store(db, clock, sqlite))");
    let writer = writers.get(this.sqlite);
    if (!writer) writers.set(this.sqlite, (writer = new SqliteRecordWriter(this.sqlite)));
    return writer;
  }

  async putCheckpoint(connectionId: string, stream: string, state: CheckpointState): Promise<void> {
    const now = this.now();
    const stateJson = JSON.stringify(state);
    await this.db
      .insertInto("checkpoints")
      .values({ connection_id: connectionId, stream, state_json: stateJson, updated_at: now })
      .onConflict((oc) => oc.columns(["connection_id", "stream"]).doUpdateSet({ state_json: stateJson, updated_at: now }))
      .execute();
  }

  async getCheckpoint(connectionId: string, stream: string): Promise<CheckpointState | undefined> {
    const row = await this.db
      .selectFrom("checkpoints")
      .select("state_json")
      .where("connection_id", "=", connectionId)
      .where("stream", "=", stream)
      .executeTakeFirst();
    return row ? (JSON.parse(row.state_json) as CheckpointState) : undefined;
  }

  async deleteCheckpoint(connectionId: string, stream: string): Promise<void> {
    await this.db.deleteFrom("checkpoints").where("connection_id", "=", connectionId).where("stream", "=", stream).execute();
  }

  /**
   * Tombstones matching records: the payload is dropped, the identity kept so it is not
   * re-ingested. Selectors combine with OR (any record they name), narrowed by `kind`.
   */
  async redactRecords(connectionId: string, selector: RecordsRedaction): Promise<{ redacted: number }> {
    const { customerId, idempotencyKeys = [], receiptIds = [] } = selector;
    if (!selector.all && !customerId && !idempotencyKeys.length && !receiptIds.length) return { redacted: 0 };
    return this.transaction(async (tx) => {
      await lockRecordChanges(tx.db);
      return tx.redactRecordsLocked(connectionId, selector);
    });
  }

  private async redactRecordsLocked(connectionId: string, selector: RecordsRedaction): Promise<{ redacted: number }> {
    const { customerId, idempotencyKeys = [], receiptIds = [] } = selector;
    let q = this.db
      .updateTable("records")
      // One change each, after every change so far (ids are unique, so max + id is too).
      .set((eb) => ({
        payload_json: null,
        payload_hash: null,
        tombstoned_at: this.now(),
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

  /** What the SDK's commit decisions need of a stored record (a dry run's "what would change"). */
  async recordState(connectionId: string, kind: string, idempotencyKey: string): Promise<StoredRecordState | undefined> {
    return (await this.storedRecordState(connectionId, kind, idempotencyKey))?.state;
  }

  /** How many records of `kind` of these connections are tombstones (deleted or redacted). */
  async countTombstonedRecords(connectionIds: readonly string[], kind: string): Promise<number> {
    if (!connectionIds.length) return 0;
    const row = await this.db
      .selectFrom("records")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .where("connection_id", "in", connectionIds)
      .where("kind", "=", kind)
      .where("tombstoned_at", "is not", null)
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  /** A stored record's row id and what the SDK's commit decisions need of it. */
  private async storedRecordState(connectionId: string, kind: string, idempotencyKey: string): Promise<{ id: number; state: StoredRecordState } | undefined> {
    const row = await this.db
      .selectFrom("records")
      .select(["id", "payload_hash", "tombstoned_at", "provider_version"])
      .where("connection_id", "=", connectionId)
      .where("kind", "=", kind)
      .where("idempotency_key", "=", idempotencyKey)
      .executeTakeFirst();
    return row && { id: row.id, state: { tombstoned: row.tombstoned_at !== null, payloadHash: row.payload_hash, version: row.provider_version } };
  }

  /**
   * The change-sequence allocator of this transaction: each call returns the next number.
   * Inside a write transaction (SQLite: BEGIN IMMEDIATE; PostgreSQL: the records-change
   * advisory lock, held to commit) nothing else allocates meanwhile.
   */
  async changeSequence(): Promise<() => number> {
    await lockRecordChanges(this.db);
    const row = await this.db.selectFrom("records").select((eb) => eb.fn.max("change_seq").as("max")).executeTakeFirst();
    let last = Number(row?.max ?? 0);
    return () => ++last;
  }

  /**
   * Provider deletions: each record becomes a deletion tombstone (payload dropped, the
   * provider's deletion time kept); a record never stored gets a tombstone too, so a late,
   * older upsert cannot create it. The decision is the SDK's, as in the test runtime.
   */
  async deleteRecords(connectionId: string, deletions: readonly { kind: string; idempotencyKey: string; deletedAt: number | null; stream?: string }[]): Promise<Record<RecordDeleteDecision, number>> {
    return this.transaction(async (tx) => {
      const now = tx.now();
      const seq = await tx.changeSequence();
      const counts: Record<RecordDeleteDecision, number> = { delete: 0, tombstone: 0, already_deleted: 0, stale: 0 };
      for (const d of deletions) {
        const existing = await tx.storedRecordState(connectionId, d.kind, d.idempotencyKey);
        const decision = decideRecordDelete(existing?.state, d.deletedAt);
        counts[decision]++;
        const tombstone = { payload_json: null, payload_hash: null, tombstoned_at: now, deleted_at: d.deletedAt ?? now, tombstone_reason: "deleted" as const, change_seq: 0, last_seen: now };
        if (decision === "delete") {
          await tx.db.updateTable("records").set({ ...tombstone, change_seq: seq() }).where("id", "=", existing!.id).execute();
        } else if (decision === "tombstone") {
          await tx.db
            .insertInto("records")
            .values({ connection_id: connectionId, kind: d.kind, idempotency_key: d.idempotencyKey, stream: d.stream ?? null, customer_id: null, receipt_id: null, provider_version: d.deletedAt, first_seen: now, ...tombstone, change_seq: seq() })
            .execute();
        }
      }
      return counts;
    });
  }

  /**
   * The changes feed: records of the connection changed after `afterSeq` (upserts, deletions
   * and redactions alike), in change order, so a consumer can mirror the store exactly.
   */
  async listRecordChanges(connectionId: string, opts: { kind?: string; afterSeq?: number; limit?: number } = {}): Promise<RecordRow[]> {
    let q = this.db.selectFrom("records").selectAll().where("connection_id", "=", connectionId).where("change_seq", ">", opts.afterSeq ?? 0);
    if (opts.kind) q = q.where("kind", "=", opts.kind);
    return q.orderBy("change_seq").limit(opts.limit ?? 1000).execute();
  }

  async listRecords(
    connectionId: string,
    opts: { kind?: string; includeTombstoned?: boolean; limit?: number; afterId?: number } = {},
  ): Promise<RecordRow[]> {
    let q = this.db.selectFrom("records").selectAll().where("connection_id", "=", connectionId);
    if (opts.kind) q = q.where("kind", "=", opts.kind);
    if (!opts.includeTombstoned) q = q.where("tombstoned_at", "is", null);
    if (opts.afterId !== undefined) q = q.where("id", ">", opts.afterId);
    return q.orderBy("id").limit(opts.limit ?? 1000).execute();
  }

  async countRecords(connectionId: string, kind?: string): Promise<number> {
    let q = this.db
      .selectFrom("records")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .where("connection_id", "=", connectionId)
      .where("tombstoned_at", "is", null);
    if (kind) q = q.where("kind", "=", kind);
    const row = await q.executeTakeFirstOrThrow();
    return Number(row.n);
  }

  // ---- webhook deliveries ----------------------------------------------------------

  /** True when any of `deliveryIds` was processed for the connection within the retention window. */
  async webhookDeliveryProcessed(connectionId: string, deliveryIds: readonly string[]): Promise<boolean> {
    if (!deliveryIds.length) return false;
    const row = await this.db
      .selectFrom("webhook_deliveries")
      .select("delivery_id")
      .where("connection_id", "=", connectionId)
      .where("delivery_id", "in", deliveryIds)
      .where("processed_at", ">", this.now() - WEBHOOK_DELIVERY_RETENTION_MS)
      .executeTakeFirst();
    return !!row;
  }

  /**
   * Records `deliveryIds` as processed now; returns how many were new. Ids past the
   * retention window (of every connection) are purged first, so a remembered id is one
   * still inside it. Run in the transaction of the route's writes.
   */
  async claimWebhookDeliveries(connectionId: string, deliveryIds: readonly string[]): Promise<number> {
    const now = this.now();
    await this.db.deleteFrom("webhook_deliveries").where("processed_at", "<=", now - WEBHOOK_DELIVERY_RETENTION_MS).execute();
    let claimed = 0;
    for (const deliveryId of new Set(deliveryIds)) {
      const r = await this.db
        .insertInto("webhook_deliveries")
        .values({ connection_id: connectionId, delivery_id: deliveryId, processed_at: now })
        .onConflict((oc) => oc.columns(["connection_id", "delivery_id"]).doNothing())
        .executeTakeFirst();
      claimed += Number(r.numInsertedOrUpdatedRows ?? 0n);
    }
    return claimed;
  }

  // ---- sync runs -------------------------------------------------------------------

  async createSyncRun(connectionId: string, stream: string, id: string = `run_${randomUUID().replaceAll("-", "")}`): Promise<SyncRunRow> {
    const row: SyncRunRow = {
      id,
      connection_id: connectionId,
      stream,
      status: "running",
      pages: 0,
      accepted: 0,
      rejected: 0,
      retries: 0,
      started_at: this.now(),
      finished_at: null,
      outcome: null,
      error: null,
    };
    await this.db.insertInto("sync_runs").values(row).execute();
    return row;
  }

  async updateSyncRun(id: string, patch: SyncRunPatch): Promise<void> {
    if (Object.keys(patch).length === 0) return;
    await this.db.updateTable("sync_runs").set(patch).where("id", "=", id).execute();
  }

  /** Adds to the run's counters (pages, accepted, rejected, retries) atomically. */
  async incrementSyncRun(id: string, delta: Partial<Record<"pages" | "accepted" | "rejected" | "retries", number>>): Promise<void> {
    await this.db
      .updateTable("sync_runs")
      .set((eb) => ({
        pages: eb("pages", "+", delta.pages ?? 0),
        accepted: eb("accepted", "+", delta.accepted ?? 0),
        rejected: eb("rejected", "+", delta.rejected ?? 0),
        retries: eb("retries", "+", delta.retries ?? 0),
      }))
      .where("id", "=", id)
      .execute();
  }

  async finishSyncRun(id: string, status: Exclude<SyncRunStatus, "running">, outcome: string | null, error?: string | null): Promise<void> {
    await this.updateSyncRun(id, { status, outcome, error: error === undefined || error === null ? null : redact(error), finished_at: this.now() });
  }

  async getSyncRun(id: string): Promise<SyncRunRow | undefined> {
    return this.db.selectFrom("sync_runs").selectAll().where("id", "=", id).executeTakeFirst();
  }

  /** When each (connection, stream) last finished a successful run (epoch ms), keyed `connection\0stream`. */
  async lastSucceededRuns(): Promise<Map<string, number>> {
    const rows = await this.db
      .selectFrom("sync_runs")
      .select(["connection_id", "stream"])
      .select((eb) => eb.fn.max("finished_at").as("finished_at"))
      .where("outcome", "=", "succeeded")
      .groupBy(["connection_id", "stream"])
      .execute();
    return new Map(rows.filter((r) => r.finished_at !== null).map((r) => [`${r.connection_id}\u0000${r.stream}`, Number(r.finished_at)]));
  }

  /** True when the database answers a trivial query (readiness). */
  async answers(): Promise<boolean> {
    try {
      await sql`select 1`.execute(this.db);
      return true;
    } catch {
      return false;
    }
  }

  async listSyncRuns(filter: { connectionId?: string; stream?: string; status?: SyncRunStatus; limit?: number } = {}): Promise<SyncRunRow[]> {
    let q = this.db.selectFrom("sync_runs").selectAll();
    if (filter.connectionId) q = q.where("connection_id", "=", filter.connectionId);
    if (filter.stream) q = q.where("stream", "=", filter.stream);
    if (filter.status) q = q.where("status", "=", filter.status);
    return q.orderBy("started_at", "desc").limit(filter.limit ?? 100).execute();
  }

  // ---- stream locks ----------------------------------------------------------------

  /**
   * Takes the lock of a stream for `owner` for `ttlMs` when it is free, expired or
   * already `owner`'s (which renews it). A database row, so it holds across processes.
   */
  async tryLockStream(connectionId: string, stream: string, owner: string, ttlMs: number): Promise<boolean> {
    const now = this.now();
    const expiresAt = now + ttlMs;
    // One conditional upsert: a row comes back only when it was inserted or taken over, so
    // two hosts racing (on any machine) cannot both see themselves as the owner.
    const row = await this.db
      .insertInto("stream_locks")
      .values({ connection_id: connectionId, stream, owner, expires_at: expiresAt })
      .onConflict((oc) =>
        oc
          .columns(["connection_id", "stream"])
          .doUpdateSet({ owner, expires_at: expiresAt })
          .where((eb) => eb.or([eb("stream_locks.expires_at", "<", now), eb("stream_locks.owner", "=", owner)])),
      )
      .returning("owner")
      .executeTakeFirst();
    return row?.owner === owner;
  }

  /** Who holds the stream's lock (undefined: nobody), expired or not. */
  async streamLockOwner(connectionId: string, stream: string): Promise<string | undefined> {
    const row = await this.db.selectFrom("stream_locks").select("owner").where("connection_id", "=", connectionId).where("stream", "=", stream).executeTakeFirst();
    return row?.owner;
  }

  async unlockStream(connectionId: string, stream: string, owner: string): Promise<boolean> {
    const r = await this.db
      .deleteFrom("stream_locks")
      .where("connection_id", "=", connectionId)
      .where("stream", "=", stream)
      .where("owner", "=", owner)
      .executeTakeFirst();
    return Number(r.numDeletedRows) === 1;
  }

  // ---- host API keys (hashed) ------------------------------------------------------

  async insertApiKey(row: Pick<HostApiKeyRow, "id" | "name" | "key_hash" | "prefix">): Promise<void> {
    await this.db.insertInto("host_api_keys").values({ ...row, created_at: this.now(), last_used_at: null, revoked_at: null }).execute();
  }

  async findApiKeyByHash(keyHash: string): Promise<HostApiKeyRow | undefined> {
    return this.db.selectFrom("host_api_keys").selectAll().where("key_hash", "=", keyHash).where("revoked_at", "is", null).executeTakeFirst();
  }

  async touchApiKey(id: string): Promise<void> {
    await this.db.updateTable("host_api_keys").set({ last_used_at: this.now() }).where("id", "=", id).execute();
  }

  async listApiKeys(): Promise<Omit<HostApiKeyRow, "key_hash">[]> {
    return this.db.selectFrom("host_api_keys").select(["id", "name", "prefix", "created_at", "last_used_at", "revoked_at"]).orderBy("created_at").execute();
  }

  /** One key without its hash. */
  async getApiKey(id: string): Promise<Omit<HostApiKeyRow, "key_hash"> | undefined> {
    return this.db.selectFrom("host_api_keys").select(["id", "name", "prefix", "created_at", "last_used_at", "revoked_at"]).where("id", "=", id).executeTakeFirst();
  }

  async revokeApiKey(id: string): Promise<boolean> {
    const r = await this.db.updateTable("host_api_keys").set({ revoked_at: this.now() }).where("id", "=", id).where("revoked_at", "is", null).executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }

  // ---- audit log -------------------------------------------------------------------

  /** Appends an audit entry; `detail` is redacted first (it must never hold a secret anyway). */
  async audit(action: string, opts: { actor?: string; connectionId?: string | null; detail?: Record<string, unknown> } = {}): Promise<void> {
    await this.db
      .insertInto("audit_log")
      .values({
        at: this.now(),
        actor: opts.actor ?? "host",
        action,
        connection_id: opts.connectionId ?? null,
        detail_json: opts.detail ? JSON.stringify(redact(opts.detail)) : null,
      })
      .execute();
  }

  async listAudit(filter: { connectionId?: string; limit?: number } = {}): Promise<AuditLogRow[]> {
    let q = this.db.selectFrom("audit_log").selectAll();
    if (filter.connectionId) q = q.where("connection_id", "=", filter.connectionId);
    return q.orderBy("id", "desc").limit(filter.limit ?? 100).execute();
  }

  // ---- auth webhook deliveries (outbox + delivery log) -----------------------------

  async insertAuthWebhookDelivery(row: Pick<AuthWebhookDeliveryRow, "event_id" | "event_type" | "connection_id" | "payload_json">): Promise<void> {
    const now = this.now();
    await this.db.insertInto("auth_webhook_deliveries").values({ ...row, status: "pending", attempts: 0, next_attempt_at: now, last_status_code: null, last_error: null, created_at: now, delivered_at: null }).execute();
  }

  async recordAuthWebhookAttempt(id: number, patch: Pick<AuthWebhookDeliveryRow, "status" | "attempts" | "next_attempt_at" | "last_status_code" | "last_error" | "delivered_at">): Promise<void> {
    await this.db.updateTable("auth_webhook_deliveries").set(patch).where("id", "=", id).execute();
  }

  async listAuthWebhookDeliveries(filter: { connectionId?: string; status?: AuthWebhookDeliveryStatus; limit?: number } = {}): Promise<AuthWebhookDeliveryRow[]> {
    let q = this.db.selectFrom("auth_webhook_deliveries").selectAll();
    if (filter.connectionId) q = q.where("connection_id", "=", filter.connectionId);
    if (filter.status) q = q.where("status", "=", filter.status);
    return q.orderBy("id", "desc").limit(filter.limit ?? 100).execute();
  }

  // ---- records search (dashboard records browser) ----------------------------------

  /** Records of a connection whose idempotency key contains `key` (case-sensitive), newest first. */
  async searchRecordsByKey(connectionId: string, opts: { kind?: string; key: string; limit?: number }): Promise<RecordRow[]> {
    let q = this.db.selectFrom("records").selectAll().where("connection_id", "=", connectionId);
    if (opts.kind) q = q.where("kind", "=", opts.kind);
    const pattern = `%${opts.key.replace(/[\\%_]/g, (ch) => `\\${ch}`)}%`;
    q = q.where(sql<boolean>`idempotency_key like ${pattern} escape '\\'`);
    return q.orderBy("id", "desc").limit(opts.limit ?? 100).execute();
  }
}
