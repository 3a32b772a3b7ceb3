// The host's store: one repository per aggregate (store/repositories/*), composed over one
// Kysely instance or transaction. `transaction(fn)` hands `fn` a Store bound to the
// transaction, so writes across repositories (a page of records and its checkpoint, a
// refreshed token pair and its audit entry) commit together on SQLite and PostgreSQL alike.
import type BetterSqlite3 from "better-sqlite3";
import { sql, type Kysely, type Transaction } from "kysely";
import { SqliteRecordWriter, type CommitPageResult, type PageBatch } from "./record-writer.js";
import { commitPagePostgres } from "./record-writer-postgres.js";
import { dialectOf, type DatabaseDialect } from "./dialect.js";
import { scrubFreedPages, type ScrubResult } from "./compact.js";
import { KeyringRepository } from "./repositories/keyring.js";
import { WebhookJobsRepository } from "./repositories/webhook-jobs.js";
import { SchedulesRepository } from "./repositories/schedules.js";
import { AuthWebhookOutboxRepository } from "./repositories/auth-webhook-outbox.js";
import { EncryptedValuesRepository } from "./repositories/encrypted-values.js";
import { AppCredentialsRepository } from "./repositories/app-credentials.js";
import { ConnectionsRepository } from "./repositories/connections.js";
import { TokensRepository } from "./repositories/tokens.js";
import { ConnectSessionsRepository } from "./repositories/connect-sessions.js";
import { PendingAuthorizationsRepository } from "./repositories/pending-authorizations.js";
import { ConnectionSecretsRepository } from "./repositories/connection-secrets.js";
import { changeSequence, RecordsRepository } from "./repositories/records.js";
import { CheckpointsRepository } from "./repositories/checkpoints.js";
import { SyncRunsRepository } from "./repositories/sync-runs.js";
import { StreamLocksRepository } from "./repositories/stream-locks.js";
import { ApiKeysRepository } from "./repositories/api-keys.js";
import { AuditLogRepository } from "./repositories/audit-log.js";
import { WebhookDeliveriesRepository } from "./repositories/webhook-deliveries.js";
import { AuthWebhookDeliveriesRepository } from "./repositories/auth-webhook-deliveries.js";
import type { CheckpointState } from "@backfill-io/sdk";
import type { Database } from "./schema.js";

/** `stale` in CommitPageResult: an older version than the stored one, ignored (policy/commit.ts decides). */
export type { CommitPageResult, PageBatch, PageItem } from "./record-writer.js";
export type { EndUser } from "./repositories/json-columns.js";
export type { NewConnection, ConnectionPatch } from "./repositories/connections.js";
export type { SyncRunPatch } from "./repositories/sync-runs.js";

// The payload hash is the SDK policy's, so the test runtime's "unchanged" is the store's.
export { canonicalJson, payloadHash } from "@backfill-io/sdk/policy";

/** One record writer (its prepared statements) per database connection. */
const writers = new WeakMap<BetterSqlite3.Database, SqliteRecordWriter>();

export class Store {
  constructor(
    /** For store/ and tests only: everything else goes through the repositories. */
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

  // One line per aggregate; each repository reads `db` and the clock through this Store, so
  // on a Store bound to a transaction they are bound to it too.
  readonly credentials = new AppCredentialsRepository(this);
  readonly connections = new ConnectionsRepository(this);
  readonly tokens = new TokensRepository(this);
  readonly connectSessions = new ConnectSessionsRepository(this);
  readonly pendingAuthorizations = new PendingAuthorizationsRepository(this);
  readonly connectionSecrets = new ConnectionSecretsRepository(this);
  readonly records = new RecordsRepository(this);
  readonly checkpoints = new CheckpointsRepository(this);
  readonly syncRuns = new SyncRunsRepository(this);
  readonly streamLocks = new StreamLocksRepository(this);
  readonly apiKeys = new ApiKeysRepository(this);
  readonly auditLog = new AuditLogRepository(this);
  readonly webhookDeliveries = new WebhookDeliveriesRepository(this);
  readonly authWebhookDeliveries = new AuthWebhookDeliveriesRepository(this);
  /** Verified webhook deliveries waiting for a queue worker. */
  readonly webhookJobs = new WebhookJobsRepository(this);
  /** Claims on the auth-webhook outbox (one sender per event across servers). */
  readonly authWebhookOutbox = new AuthWebhookOutboxRepository(this);
  /** Per-connection overrides of stream schedules. */
  readonly schedules = new SchedulesRepository(this);

  /** Runs `fn` in one transaction; nested calls reuse the outer transaction. */
  async transaction<T>(fn: (tx: Store) => Promise<T>): Promise<T> {
    if (this.db.isTransaction) return fn(this);
    return this.db.transaction().execute((trx) => fn(new Store(trx, this.clock, this.sqlite)));
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

  // ---- across repositories ---------------------------------------------------------

  /**
   * Commits one page: upserts its records by (connection, kind, idempotency key) and
   * writes the stream checkpoint, in ONE transaction. What happens to each record is the
   * SDK policy's decideRecordCommit: an unchanged payload (same hash) only moves
   * last_seen; an older version (provider_version) is ignored; a tombstoned (redacted)
   * record is never brought back.
   */
  async commitPage(connectionId: string, stream: string, batches: readonly PageBatch[], checkpoint?: CheckpointState | null): Promise<CommitPageResult> {
    return this.transaction(async (tx) => {
      let result: CommitPageResult;
      if (tx.dialect === "postgres") {
        const seq = await changeSequence(tx.db);
        result = await commitPagePostgres(tx.db as Transaction<Database>, connectionId, stream, batches, tx.now(), seq() - 1);
      } else {
        result = await tx.recordWriter().commit(connectionId, stream, batches, tx.now());
      }
      if (checkpoint) await tx.checkpoints.put(connectionId, stream, checkpoint);
      return result;
    });
  }

  private recordWriter(): SqliteRecordWriter {
    if (!this.sqlite) throw new Error("Store: committing records needs the SQLite handle (new Store(db, clock, sqlite))");
    let writer = writers.get(this.sqlite);
    if (!writer) writers.set(this.sqlite, (writer = new SqliteRecordWriter(this.sqlite)));
    return writer;
  }
}
