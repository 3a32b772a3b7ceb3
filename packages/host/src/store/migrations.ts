// Versioned schema migrations, provided in code (no migration folder to ship).
// Never edit a released migration: add the next one.
import { sql, type Kysely, type Migration, type MigrationProvider } from "kysely";
import { migrationDialect } from "./dialect.js";

const m001_initial: Migration = {
  async up(db: Kysely<unknown>) {
    const d = migrationDialect(db);
    await db.schema
      .createTable("vault_keys")
      .addColumn("id", "text", (c) => c.primaryKey())
      .addColumn("wrapped_key", "text", (c) => c.notNull())
      .addColumn("status", "text", (c) => c.notNull().check(sql`status in ('active', 'retired')`))
      .addColumn("created_at", d.int64, (c) => c.notNull())
      .execute();

    await db.schema
      .createTable("oauth_app_credentials")
      .addColumn("credential_key", "text", (c) => c.primaryKey())
      .addColumn("client_id", "text", (c) => c.notNull())
      .addColumn("client_secret_enc", "text", (c) => c.notNull())
      .addColumn("created_at", d.int64, (c) => c.notNull())
      .addColumn("updated_at", d.int64, (c) => c.notNull())
      .execute();

    await db.schema
      .createTable("connections")
      .addColumn("id", "text", (c) => c.primaryKey())
      .addColumn("connector_key", "text", (c) => c.notNull())
      .addColumn("connector_version", "text", (c) => c.notNull())
      .addColumn("settings_json", "text", (c) => c.notNull().defaultTo("{}"))
      .addColumn("status", "text", (c) => c.notNull().check(sql`status in ('pending', 'active', 'reauth_required', 'revoked', 'disconnected')`))
      .addColumn("status_reason", "text")
      .addColumn("provider_account_id", "text")
      .addColumn("provider_account_name", "text")
      .addColumn("provider_account_domain", "text")
      .addColumn("created_at", d.int64, (c) => c.notNull())
      .addColumn("updated_at", d.int64, (c) => c.notNull())
      .addColumn("connected_at", d.int64)
      .execute();
    await db.schema.createIndex("connections_connector").on("connections").columns(["connector_key", "status"]).execute();

    await db.schema
      .createTable("oauth_tokens")
      .addColumn("connection_id", "text", (c) => c.primaryKey().references("connections.id").onDelete("cascade"))
      .addColumn("access_token_enc", "text", (c) => c.notNull())
      .addColumn("refresh_token_enc", "text")
      .addColumn("token_type", "text")
      .addColumn("expires_at", d.int64)
      .addColumn("refresh_expires_at", d.int64)
      .addColumn("scopes_json", "text", (c) => c.notNull().defaultTo("[]"))
      .addColumn("obtained_at", d.int64, (c) => c.notNull())
      .addColumn("updated_at", d.int64, (c) => c.notNull())
      .addColumn("refresh_lease_owner", "text")
      .addColumn("refresh_lease_until", d.int64)
      .execute();

    await db.schema
      .createTable("pending_authorizations")
      .addColumn("id", "text", (c) => c.primaryKey())
      .addColumn("state_hash", "text", (c) => c.notNull().unique())
      .addColumn("connection_id", "text", (c) => c.notNull().references("connections.id").onDelete("cascade"))
      .addColumn("code_verifier_enc", "text")
      .addColumn("redirect_uri", "text", (c) => c.notNull())
      .addColumn("settings_json", "text", (c) => c.notNull())
      .addColumn("force", "integer", (c) => c.notNull().defaultTo(0))
      .addColumn("expires_at", d.int64, (c) => c.notNull())
      .addColumn("used_at", d.int64)
      .addColumn("created_at", d.int64, (c) => c.notNull())
      .execute();

    await db.schema
      .createTable("connection_secrets")
      .addColumn("connection_id", "text", (c) => c.notNull().references("connections.id").onDelete("cascade"))
      .addColumn("name", "text", (c) => c.notNull())
      .addColumn("value_enc", "text", (c) => c.notNull())
      .addColumn("updated_at", d.int64, (c) => c.notNull())
      .addPrimaryKeyConstraint("connection_secrets_pk", ["connection_id", "name"])
      .execute();

    await d
      .addAutoId(db.schema.createTable("records"))
      .addColumn("connection_id", "text", (c) => c.notNull().references("connections.id").onDelete("cascade"))
      .addColumn("kind", "text", (c) => c.notNull())
      .addColumn("idempotency_key", "text", (c) => c.notNull())
      .addColumn("stream", "text")
      .addColumn("customer_id", "text")
      .addColumn("payload_json", "text")
      .addColumn("payload_hash", "text")
      .addColumn("first_seen", d.int64, (c) => c.notNull())
      .addColumn("last_seen", d.int64, (c) => c.notNull())
      .addColumn("tombstoned_at", d.int64)
      .addUniqueConstraint("records_identity", ["connection_id", "kind", "idempotency_key"])
      .execute();
    await db.schema.createIndex("records_customer").on("records").columns(["connection_id", "customer_id"]).execute();

    await db.schema
      .createTable("checkpoints")
      .addColumn("connection_id", "text", (c) => c.notNull().references("connections.id").onDelete("cascade"))
      .addColumn("stream", "text", (c) => c.notNull())
      .addColumn("state_json", "text", (c) => c.notNull())
      .addColumn("updated_at", d.int64, (c) => c.notNull())
      .addPrimaryKeyConstraint("checkpoints_pk", ["connection_id", "stream"])
      .execute();

    await db.schema
      .createTable("sync_runs")
      .addColumn("id", "text", (c) => c.primaryKey())
      .addColumn("connection_id", "text", (c) => c.notNull().references("connections.id").onDelete("cascade"))
      .addColumn("stream", "text", (c) => c.notNull())
      .addColumn("status", "text", (c) => c.notNull().check(sql`status in ('running', 'succeeded', 'failed', 'cancelled')`))
      .addColumn("pages", d.int64, (c) => c.notNull().defaultTo(0))
      .addColumn("accepted", d.int64, (c) => c.notNull().defaultTo(0))
      .addColumn("rejected", d.int64, (c) => c.notNull().defaultTo(0))
      .addColumn("retries", d.int64, (c) => c.notNull().defaultTo(0))
      .addColumn("started_at", d.int64, (c) => c.notNull())
      .addColumn("finished_at", d.int64)
      .addColumn("outcome", "text")
      .addColumn("error", "text")
      .execute();
    await db.schema.createIndex("sync_runs_connection").on("sync_runs").columns(["connection_id", "started_at"]).execute();

    await db.schema
      .createTable("stream_locks")
      .addColumn("connection_id", "text", (c) => c.notNull())
      .addColumn("stream", "text", (c) => c.notNull())
      .addColumn("owner", "text", (c) => c.notNull())
      .addColumn("expires_at", d.int64, (c) => c.notNull())
      .addPrimaryKeyConstraint("stream_locks_pk", ["connection_id", "stream"])
      .execute();

    await db.schema
      .createTable("host_api_keys")
      .addColumn("id", "text", (c) => c.primaryKey())
      .addColumn("name", "text", (c) => c.notNull())
      .addColumn("key_hash", "text", (c) => c.notNull().unique())
      .addColumn("prefix", "text", (c) => c.notNull())
      .addColumn("created_at", d.int64, (c) => c.notNull())
      .addColumn("last_used_at", d.int64)
      .addColumn("revoked_at", d.int64)
      .execute();

    await d
      .addAutoId(db.schema.createTable("audit_log"))
      .addColumn("at", d.int64, (c) => c.notNull())
      .addColumn("actor", "text", (c) => c.notNull())
      .addColumn("action", "text", (c) => c.notNull())
      .addColumn("connection_id", "text")
      .addColumn("detail_json", "text")
      .execute();
  },
};

/** Receipt ids beside customer ids, so compliance redaction can reach a guest order's refunds. */
const m002_records_receipt_id: Migration = {
  async up(db: Kysely<unknown>) {
    const d = migrationDialect(db);
    await db.schema.alterTable("records").addColumn("receipt_id", "text").execute();
    await sql`update records set receipt_id = ${d.jsonTextField("payload_json", "receipt_id")} where payload_json is not null and kind in ('sales_receipt', 'refund_receipt')`.execute(
      db,
    );
    await db.schema.createIndex("records_receipt").on("records").columns(["connection_id", "receipt_id"]).execute();
  },
  async down(db: Kysely<unknown>) {
    await db.schema.dropIndex("records_receipt").execute();
    await db.schema.alterTable("records").dropColumn("receipt_id").execute();
  },
};

/**
 * Connect sessions (an operator-minted, single-use token is the only way to start a flow),
 * and pending authorizations that hold everything until the callback succeeds: the
 * connector the state is bound to, the browser binding, the settings (secrets encrypted).
 * A new connection no longer exists before its callback. Pending authorizations live ten
 * minutes, so the old table's rows are dropped rather than carried over.
 */
const m003_connect_sessions: Migration = {
  async up(db: Kysely<unknown>) {
    const d = migrationDialect(db);
    // Connections that never finished their callback: under the old flow, one per anonymous start.
    await sql`delete from connections where status = 'pending' and id not in (select connection_id from oauth_tokens)`.execute(db);
    await db.schema
      .createTable("connect_sessions")
      .addColumn("id", "text", (c) => c.primaryKey())
      .addColumn("token_hash", "text", (c) => c.notNull().unique())
      .addColumn("connector_keys_json", "text", (c) => c.notNull())
      .addColumn("end_user_json", "text", (c) => c.notNull())
      .addColumn("tags_json", "text", (c) => c.notNull().defaultTo("{}"))
      .addColumn("settings_json", "text", (c) => c.notNull().defaultTo("{}"))
      .addColumn("secret_settings_enc", "text")
      .addColumn("connection_id", "text", (c) => c.references("connections.id").onDelete("cascade"))
      .addColumn("return_url", "text")
      .addColumn("created_by", "text")
      .addColumn("expires_at", d.int64, (c) => c.notNull())
      .addColumn("used_at", d.int64)
      .addColumn("created_at", d.int64, (c) => c.notNull())
      .execute();
    await db.schema.createIndex("connect_sessions_expiry").on("connect_sessions").column("expires_at").execute();

    await db.schema.dropTable("pending_authorizations").execute();
    await db.schema
      .createTable("pending_authorizations")
      .addColumn("id", "text", (c) => c.primaryKey())
      .addColumn("state_hash", "text", (c) => c.notNull().unique())
      .addColumn("connector_key", "text", (c) => c.notNull())
      // No foreign key: a new connection's row is created only when its callback succeeds.
      .addColumn("connection_id", "text", (c) => c.notNull())
      .addColumn("reconnect", "integer", (c) => c.notNull().defaultTo(0))
      .addColumn("session_id", "text", (c) => c.references("connect_sessions.id").onDelete("set null"))
      .addColumn("browser_binding_hash", "text")
      .addColumn("code_verifier_enc", "text")
      .addColumn("redirect_uri", "text", (c) => c.notNull())
      .addColumn("settings_json", "text", (c) => c.notNull())
      .addColumn("secret_settings_enc", "text")
      .addColumn("force", "integer", (c) => c.notNull().defaultTo(0))
      .addColumn("expires_at", d.int64, (c) => c.notNull())
      .addColumn("used_at", d.int64)
      .addColumn("created_at", d.int64, (c) => c.notNull())
      .execute();
    await db.schema.createIndex("pending_authorizations_expiry").on("pending_authorizations").column("expires_at").execute();

    await db.schema.alterTable("connections").addColumn("end_user_json", "text").execute();
    await db.schema
      .alterTable("connections")
      .addColumn("tags_json", "text", (c) => c.notNull().defaultTo("{}"))
      .execute();
  },
};

/**
 * An app credential the provider refused (invalid_client at refresh: the secret is wrong or
 * was rotated) is marked, for the operator; setting it again clears the mark.
 */
const m007_credential_rejected: Migration = {
  async up(db: Kysely<unknown>) {
    const d = migrationDialect(db);
    await db.schema.alterTable("oauth_app_credentials").addColumn("rejected_at", d.int64).execute();
    await db.schema.alterTable("oauth_app_credentials").addColumn("rejected_reason", "text").execute();
  },
};

/**
 * Webhook deliveries already processed (deduplication), and each record's version (the
 * provider's updated-at as epoch ms) so an older version never replaces a newer one.
 */
const m004_webhook_deliveries: Migration = {
  async up(db: Kysely<unknown>) {
    const d = migrationDialect(db);
    await db.schema
      .createTable("webhook_deliveries")
      .addColumn("connection_id", "text", (c) => c.notNull().references("connections.id").onDelete("cascade"))
      .addColumn("delivery_id", "text", (c) => c.notNull())
      .addColumn("processed_at", d.int64, (c) => c.notNull())
      .addPrimaryKeyConstraint("webhook_deliveries_pk", ["connection_id", "delivery_id"])
      .execute();
    await db.schema.createIndex("webhook_deliveries_processed_at").on("webhook_deliveries").column("processed_at").execute();
    await db.schema.alterTable("records").addColumn("provider_version", d.int64).execute();
    const updatedAt = d.jsonTextField("payload_json", "provider_updated_at");
    await sql`update records set provider_version = ${d.isoToEpochMs(updatedAt)} where payload_json is not null and ${updatedAt} is not null`.execute(db);
  },
  async down(db: Kysely<unknown>) {
    await db.schema.alterTable("records").dropColumn("provider_version").execute();
    await db.schema.dropTable("webhook_deliveries").execute();
  },
};

/**
 * The keyring's generation: bumped by every change to vault_keys, so a long-running host
 * notices another process's rotation with one cheap read and reloads its keyring.
 */
const m005_vault_keyring_generation: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable("vault_keyring")
      .addColumn("id", "integer", (c) => c.primaryKey().check(sql`id = 1`))
      .addColumn("generation", "integer", (c) => c.notNull())
      .execute();
    await sql`insert into vault_keyring (id, generation) values (1, 1)`.execute(db);
  },
  async down(db: Kysely<unknown>) {
    await db.schema.dropTable("vault_keyring").execute();
  },
};

/**
 * The record lifecycle: every insert, update, deletion and redaction takes the next change
 * sequence number (the records changes feed pages by it), deletions keep the provider's
 * deletion time, and a tombstone says why it is one.
 */
const m008_record_changes: Migration = {
  async up(db: Kysely<unknown>) {
    const d = migrationDialect(db);
    await db.schema.alterTable("records").addColumn("change_seq", d.int64).execute();
    await db.schema.alterTable("records").addColumn("deleted_at", d.int64).execute();
    await db.schema.alterTable("records").addColumn("tombstone_reason", "text").execute();
    await sql`update records set change_seq = id`.execute(db);
    await sql`update records set tombstone_reason = 'redacted' where tombstoned_at is not null`.execute(db);
    await db.schema.createIndex("records_changes").on("records").columns(["connection_id", "change_seq"]).execute();
    await db.schema.createIndex("records_change_seq").on("records").column("change_seq").execute();
  },
};

/** The outbox and delivery log of auth webhooks (connection created/reconnected/reauth_required/revoked). */
const m006_auth_webhooks: Migration = {
  async up(db: Kysely<unknown>) {
    const d = migrationDialect(db);
    await d
      .addAutoId(db.schema.createTable("auth_webhook_deliveries"))
      .addColumn("event_id", "text", (c) => c.notNull().unique())
      .addColumn("event_type", "text", (c) => c.notNull())
      .addColumn("connection_id", "text")
      .addColumn("payload_json", "text", (c) => c.notNull())
      .addColumn("status", "text", (c) => c.notNull().check(sql`status in ('pending', 'delivered', 'failed')`))
      .addColumn("attempts", "integer", (c) => c.notNull().defaultTo(0))
      .addColumn("next_attempt_at", d.int64, (c) => c.notNull())
      .addColumn("last_status_code", "integer")
      .addColumn("last_error", "text")
      .addColumn("created_at", d.int64, (c) => c.notNull())
      .addColumn("delivered_at", d.int64)
      .execute();
    await db.schema.createIndex("auth_webhook_deliveries_due").on("auth_webhook_deliveries").columns(["status", "next_attempt_at"]).execute();
  },
};

/** Verified webhook deliveries waiting for a queue worker (the request sealed). */
const m009_webhook_jobs: Migration = {
  async up(db: Kysely<unknown>) {
    const d = migrationDialect(db);
    await db.schema
      .createTable("webhook_jobs")
      .addColumn("id", "text", (c) => c.primaryKey())
      .addColumn("connection_id", "text", (c) => c.notNull().references("connections.id").onDelete("cascade"))
      .addColumn("route", "text", (c) => c.notNull())
      .addColumn("method", "text", (c) => c.notNull())
      .addColumn("request_enc", "text", (c) => c.notNull())
      .addColumn("received_at", d.int64, (c) => c.notNull())
      .execute();
  },
  async down(db: Kysely<unknown>) {
    await db.schema.dropTable("webhook_jobs").execute();
  },
};

/** Per-connection overrides of a stream's schedule (the API's). */
const m010_stream_schedules: Migration = {
  async up(db: Kysely<unknown>) {
    const d = migrationDialect(db);
    await db.schema
      .createTable("stream_schedules")
      .addColumn("connection_id", "text", (c) => c.notNull().references("connections.id").onDelete("cascade"))
      .addColumn("stream", "text", (c) => c.notNull())
      .addColumn("every_ms", d.int64, (c) => c.notNull())
      .addColumn("updated_at", d.int64, (c) => c.notNull())
      .addPrimaryKeyConstraint("stream_schedules_pk", ["connection_id", "stream"])
      .execute();
  },
  async down(db: Kysely<unknown>) {
    await db.schema.dropTable("stream_schedules").execute();
  },
};

/** All migrations, by name; names sort in the order they run. */
export const MIGRATIONS: Record<string, Migration> = {
  "001_initial": m001_initial,
  "002_records_receipt_id": m002_records_receipt_id,
  "003_connect_sessions": m003_connect_sessions,
  "004_webhook_deliveries": m004_webhook_deliveries,
  "005_vault_keyring_generation": m005_vault_keyring_generation,
  "006_auth_webhooks": m006_auth_webhooks,
  "007_credential_rejected": m007_credential_rejected,
  "008_record_changes": m008_record_changes,
  "009_webhook_jobs": m009_webhook_jobs,
  "010_stream_schedules": m010_stream_schedules,
};

export const migrationProvider: MigrationProvider = {
  async getMigrations() {
    return MIGRATIONS;
  },
};
