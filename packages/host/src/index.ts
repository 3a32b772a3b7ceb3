// @backfill-io/host: what the CLI, the demo and an embedding application use (openHost, the
// server, the route runner, the sync engine, the queue), and the errors they may see, by code.
export { openDatabase, resolveDataDir, resolveDatabaseUrl, DATABASE_URL_ENV } from "./store/open.js";
export { DATABASE_URL_INVALID, DATABASE_UNREACHABLE, DATABASE_SCHEMA_BEHIND, DATABASE_SCHEMA_AHEAD, type DatabaseErrorCode } from "./store/errors.js";
export { MIGRATIONS } from "./store/migrations.js";
export { CONNECTION_STATUSES, type ConnectionStatus, type SyncRunRow } from "./store/schema.js";
export type { ConnectionRow } from "./store/repositories/connections.js";
export type { RecordRow } from "./store/repositories/records.js";
export { STORE_ROW_CORRUPT } from "./store/repositories/json-columns.js";
export { Vault } from "./vault/vault.js";
export { MASTER_KEY_MISSING, MASTER_KEY_MISMATCH, MASTER_KEY_ROTATED, MASTER_KEY_UNCHANGED, type VaultErrorCode } from "./vault/cipher.js";
export { parseMasterKey, generateMasterKey, MASTER_KEY_ENV } from "./vault/master-key.js";
export { rotateMasterKey } from "./vault/master-key-rotation.js";
export {
  ensureDataDir,
  writePrivateFile,
  openPrivateAppendStream,
  DATA_DIR_NOT_DIRECTORY,
  DATA_DIR_NOT_OWNED,
  DATABASE_CORRUPT,
  DATABASE_LOCKED,
  type DataDirErrorCode,
} from "./store/data-dir.js";
export { createHostHttp, type HostHttp, type HostHttpResponse } from "./http/host-http.js";
export { HostHttpError, type HostHttpErrorCode } from "./http/errors.js";
export { parseProviderRoutes } from "./http/provider-routes.js";
export type { OAuthFlowError, OAuthFlowErrorCode } from "./oauth/errors.js";
export type { PostConnectRunner } from "./oauth/post-connect.js";
export { readTokens, writeTokens } from "./tokens/token-store.js";
export { disconnect, type DisconnectResult } from "./tokens/revoke.js";
export { migrateTokens, type MigrateOutcome } from "./tokens/migrate.js";
export { openHost, type Host, type OpenHostOptions } from "./app/open-host.js";
export { workspaceConnectorRegistry, staticConnectorRegistry, loadConnectorDir, type ConnectorRegistry, type LoadedConnector } from "./app/connectors.js";
export { createHostLogger, silentLogger, type HostLogger, type HostLogLevel } from "./app/logger.js";
export { RouteRunner, DEFAULT_HTTP_LIMITS, type ConnectionServices, type StagedRecord, type HttpTransport } from "./runner/index.js";
export { PROCESS_CONTROL_DENIED, ROUTE_MEMORY_LIMIT, ISOLATED_NEEDS_JAVASCRIPT, ISOLATED_PATH_EXPOSED, type RouteIsolation } from "./runner/index.js";
export { hostConnectionServices, createPostConnectRunner } from "./app/runner-services.js";
export { SyncEngine, StreamLockedError, streamScopeNotices, syncEngineForHost, type SyncOutcome, type SyncProgress, type SyncResult } from "./sync/index.js";
export { authWebhookDeliveryJson, type AuthWebhookDeliveryJson } from "./server/index.js";
export { startHostServer, createApiKey, verifyApiKey, type RunningServer, type StartHostServerOptions } from "./server/index.js";
export {
  createConnectSession,
  createReconnectSession,
  findConnectSession,
  type ConnectSession,
  type ConnectSessionRequest,
  type MintedConnectSession,
} from "./oauth/connect-sessions.js";
// Host API keys (create, verify, revoke).
export { revokeApiKey, API_KEY_NOT_FOUND, API_KEY_ALREADY_REVOKED, API_KEY_SELF_REVOKE, INVALID_API_KEY_NAME, type ApiKeyErrorCode } from "./server/index.js";
// Auth webhooks (connection created/reconnected/reauth_required/revoked, signed and retried).
export {
  signAuthWebhook,
  AUTH_WEBHOOK_SIGNATURE_HEADER,
  AUTH_WEBHOOK_TIMESTAMP_HEADER,
  AUTH_WEBHOOK_EVENT_ID_HEADER,
  AUTH_WEBHOOK_SECRET_ENV,
  type AuthWebhookConfig,
} from "./events/auth-webhooks.js";
export type { AuthWebhookDeliveryRow, AuthWebhookDeliveryStatus } from "./store/schema.js";
export { AUTH_WEBHOOK_DELIVERY_STATUSES } from "./store/schema.js";
// Job queue (graphile-worker on Postgres, in-process on SQLite), workers, operator endpoints and metrics.
export {
  QUEUE_UNAVAILABLE,
  QUEUE_INVALID_JOB,
  type JobQueue,
  type JobSpec,
  type QueueErrorCode,
  InProcessJobQueue,
  PostgresJobQueue,
  SYNC_SLICE_TASK,
  syncJobKey,
  startQueueWorker,
  type QueueWorker,
  type QueueWorkerOptions,
} from "./queue/index.js";
export { createHostMetrics, opsRoutes, NOT_READY, METRICS_UNAUTHORIZED, startOpsServer, type OpsServer } from "./ops/index.js";
/** Every error code the host's errors carry (error-codes.ts). */
export * from "./error-codes.js";
