// Row types of the host database, as Kysely sees them. Timestamps are epoch
// milliseconds (INTEGER), JSON columns are TEXT, encrypted columns hold vault
// strings (`v1.<keyId>.<iv>.<ct>.<tag>`) and are named `*_enc`.
import type { Generated, Selectable } from "kysely";

export const CONNECTION_STATUSES = ["pending", "active", "reauth_required", "revoked", "disconnected"] as const;
export type ConnectionStatus = (typeof CONNECTION_STATUSES)[number];

export const SYNC_RUN_STATUSES = ["running", "succeeded", "failed", "cancelled"] as const;
export type SyncRunStatus = (typeof SYNC_RUN_STATUSES)[number];

export interface VaultKeysTable {
  id: string;
  /** The data key, encrypted with the master key (AAD `vault_keys:<id>:key`). */
  wrapped_key: string;
  status: "active" | "retired";
  created_at: number;
}

/** One row (id 1): the keyring's generation, bumped by every change to vault_keys. */
export interface VaultKeyringTable {
  id: number;
  generation: number;
}

export interface OAuthAppCredentialsTable {
  credential_key: string;
  client_id: string;
  client_secret_enc: string;
  created_at: number;
  updated_at: number;
  /** When the provider last refused this credential (invalid_client); NULL once it is set again. */
  rejected_at: number | null;
  rejected_reason: string | null;
}

export interface ConnectionsTable {
  id: string;
  connector_key: string;
  connector_version: string;
  /** Non-secret, validated and normalized settings; x-secret settings live in connection_secrets. */
  settings_json: string;
  status: ConnectionStatus;
  status_reason: string | null;
  provider_account_id: string | null;
  provider_account_name: string | null;
  provider_account_domain: string | null;
  /** JSON `{ id, email?, displayName? }` from the connect session, or NULL. */
  end_user_json: string | null;
  /** JSON object of string tags from the connect session. */
  tags_json: string;
  created_at: number;
  updated_at: number;
  connected_at: number | null;
}

export interface OAuthTokensTable {
  connection_id: string;
  access_token_enc: string;
  refresh_token_enc: string | null;
  token_type: string | null;
  expires_at: number | null;
  refresh_expires_at: number | null;
  scopes_json: string;
  obtained_at: number;
  updated_at: number;
  /** Cross-process refresh lease: who refreshes, and until when the lease holds. */
  refresh_lease_owner: string | null;
  refresh_lease_until: number | null;
}

export interface PendingAuthorizationsTable {
  id: string;
  /** sha256 of the state; the state itself is never stored. */
  state_hash: string;
  /** The connector the state is bound to: its token endpoint is the only one the code may reach. */
  connector_key: string;
  /** The connection: for a reconnect the existing one; else the id the new connection gets at the callback. */
  connection_id: string;
  /** 1 when the flow replaces an existing connection's tokens; 0 when the callback creates the connection. */
  reconnect: number;
  /** The connect session that allowed this start. */
  session_id: string | null;
  /** sha256 of the browser-binding cookie set at start (RFC 9700 §4.7.1); NULL when started without a browser. */
  browser_binding_hash: string | null;
  code_verifier_enc: string | null;
  redirect_uri: string;
  /** The validated non-secret settings this authorization was started with (applied only after the callback succeeds). */
  settings_json: string;
  /** The x-secret settings given at start, as one encrypted JSON object (applied only after the callback succeeds). */
  secret_settings_enc: string | null;
  force: number;
  expires_at: number;
  used_at: number | null;
  created_at: number;
}

export interface ConnectSessionsTable {
  id: string;
  /** sha256 of the session token; the token is shown once, to the operator that minted it. */
  token_hash: string;
  /** JSON array of the connector keys the session may connect. */
  connector_keys_json: string;
  /** JSON `{ id, email?, displayName? }`, copied onto the connection. */
  end_user_json: string;
  /** JSON object of string tags, copied onto the connection. */
  tags_json: string;
  /** Preset non-secret settings (JSON). */
  settings_json: string;
  /** Preset x-secret settings, one encrypted JSON object. */
  secret_settings_enc: string | null;
  /** Set for a reconnect session: the connection whose tokens the flow replaces. */
  connection_id: string | null;
  /** Where the merchant goes after the flow (checked against the operator's allowlist). */
  return_url: string | null;
  /** The host API key that minted it (NULL for the CLI, which holds the data dir). */
  created_by: string | null;
  expires_at: number;
  used_at: number | null;
  created_at: number;
}

export interface ConnectionSecretsTable {
  connection_id: string;
  name: string;
  value_enc: string;
  updated_at: number;
}

export interface RecordsTable {
  id: Generated<number>;
  connection_id: string;
  kind: string;
  idempotency_key: string;
  stream: string | null;
  /** The canonical customer id the record belongs to (for redaction by customer). */
  customer_id: string | null;
  /** The canonical receipt id of a sales or refund receipt (for redaction by order). */
  receipt_id: string | null;
  /** NULL once tombstoned. */
  payload_json: string | null;
  payload_hash: string | null;
  first_seen: number;
  last_seen: number;
  tombstoned_at: number | null;
  /** The provider's updated-at (epoch ms) of the stored version; an older one is never stored over it. */
  provider_version: number | null;
  /** Position in the records changes feed: the last insert, update, deletion or redaction. */
  change_seq: number | null;
  /** When the provider deleted the record (a deletion tombstone). */
  deleted_at: number | null;
  /** Why a tombstone is one: "deleted" at the provider, or "redacted" (compliance). */
  tombstone_reason: "deleted" | "redacted" | null;
}

export interface CheckpointsTable {
  connection_id: string;
  stream: string;
  state_json: string;
  updated_at: number;
}

export interface SyncRunsTable {
  id: string;
  connection_id: string;
  stream: string;
  status: SyncRunStatus;
  pages: number;
  accepted: number;
  rejected: number;
  retries: number;
  started_at: number;
  finished_at: number | null;
  outcome: string | null;
  error: string | null;
}

export interface StreamLocksTable {
  connection_id: string;
  stream: string;
  owner: string;
  expires_at: number;
}

export interface HostApiKeysTable {
  id: string;
  name: string;
  /** sha256 of the key; the key is shown once at creation and never stored. */
  key_hash: string;
  prefix: string;
  created_at: number;
  last_used_at: number | null;
  revoked_at: number | null;
}

export interface AuditLogTable {
  id: Generated<number>;
  at: number;
  actor: string;
  action: string;
  connection_id: string | null;
  /** Non-secret detail (redacted before it is written). */
  detail_json: string | null;
}

/** A webhook delivery id processed for a connection (committed with the route's writes). */
export interface WebhookDeliveriesTable {
  connection_id: string;
  delivery_id: string;
  processed_at: number;
}

export const AUTH_WEBHOOK_DELIVERY_STATUSES = ["pending", "delivered", "failed"] as const;
export type AuthWebhookDeliveryStatus = (typeof AUTH_WEBHOOK_DELIVERY_STATUSES)[number];

export interface AuthWebhookDeliveriesTable {
  id: Generated<number>;
  event_id: string;
  event_type: string;
  connection_id: string | null;
  /** The exact body POSTed (it never holds a secret: ids, names, status, reason). */
  payload_json: string;
  status: AuthWebhookDeliveryStatus;
  attempts: number;
  next_attempt_at: number;
  last_status_code: number | null;
  last_error: string | null;
  created_at: number;
  delivered_at: number | null;
}

/**
 * A verified webhook delivery waiting for a queue worker to run its route (the server
 * stored it and answered 200). The request (headers, query, raw body) holds provider data:
 * sealed in request_enc. The id is derived from the connection and the delivery's dedupe
 * ids, so copies of one delivery share one row.
 */
export interface WebhookJobsTable {
  id: string;
  connection_id: string;
  route: string;
  method: string;
  request_enc: string;
  received_at: number;
}

/** An operator's per-connection override of a stream's schedule (the manifest's, else the host's default). */
export interface StreamSchedulesTable {
  connection_id: string;
  stream: string;
  every_ms: number;
  updated_at: number;
}

export interface Database {
  vault_keys: VaultKeysTable;
  vault_keyring: VaultKeyringTable;
  oauth_app_credentials: OAuthAppCredentialsTable;
  connections: ConnectionsTable;
  oauth_tokens: OAuthTokensTable;
  pending_authorizations: PendingAuthorizationsTable;
  connect_sessions: ConnectSessionsTable;
  connection_secrets: ConnectionSecretsTable;
  records: RecordsTable;
  checkpoints: CheckpointsTable;
  sync_runs: SyncRunsTable;
  stream_locks: StreamLocksTable;
  host_api_keys: HostApiKeysTable;
  audit_log: AuditLogTable;
  webhook_deliveries: WebhookDeliveriesTable;
  auth_webhook_deliveries: AuthWebhookDeliveriesTable;
  webhook_jobs: WebhookJobsTable;
  stream_schedules: StreamSchedulesTable;
}

export type SyncRunRow = Selectable<SyncRunsTable>;
export type HostApiKeyRow = Selectable<HostApiKeysTable>;
export type AuditLogRow = Selectable<AuditLogTable>;
export type AuthWebhookDeliveryRow = Selectable<AuthWebhookDeliveriesTable>;
export type WebhookJobRow = Selectable<WebhookJobsTable>;

/**
 * Every encrypted column: the table, its row-id columns (what the AAD binds to) and the
 * field. Sealing, opening and rotation derive the AAD from this list (encrypted-columns.ts),
 * so a new encrypted column must be added here.
 */
export const ENCRYPTED_COLUMNS = [
  { table: "oauth_app_credentials", field: "client_secret_enc", rowId: ["credential_key"] },
  { table: "oauth_tokens", field: "access_token_enc", rowId: ["connection_id"] },
  { table: "oauth_tokens", field: "refresh_token_enc", rowId: ["connection_id"] },
  { table: "pending_authorizations", field: "code_verifier_enc", rowId: ["id"] },
  { table: "pending_authorizations", field: "secret_settings_enc", rowId: ["id"] },
  { table: "connect_sessions", field: "secret_settings_enc", rowId: ["id"] },
  { table: "connection_secrets", field: "value_enc", rowId: ["connection_id", "name"] },
  { table: "webhook_jobs", field: "request_enc", rowId: ["id"] },
] as const;
