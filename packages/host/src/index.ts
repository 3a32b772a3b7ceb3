// @backfill-io/host: public API.
// Part 1 (store, vault, credentials, OAuth, tokens, connections, HostHttp).
export { openDatabase, resolveDataDir, resolveDatabaseUrl, DATABASE_URL_ENV, DB_FILE_NAME, MigrationFailedError, type OpenedDatabase, type OpenDatabaseOptions } from "./store/open.js";
export { DatabaseError, DATABASE_URL_INVALID, DATABASE_UNREACHABLE, DATABASE_SCHEMA_BEHIND, DATABASE_SCHEMA_AHEAD, type DatabaseErrorCode } from "./store/errors.js";
export { readSchemaStatus, type SchemaStatus } from "./store/schema-version.js";
export { redactedDatabaseUrl } from "./store/postgres.js";
export { dialectOf, DATABASE_DIALECTS, type DatabaseDialect } from "./store/dialect.js";
export { MIGRATIONS, migrationProvider } from "./store/migrations.js";
export { Store, canonicalJson, payloadHash, type EndUser, type PageBatch, type PageItem, type CommitPageResult, type NewConnection, type ConnectionPatch, type SyncRunPatch } from "./store/store.js";
export {
  CONNECTION_STATUSES,
  SYNC_RUN_STATUSES,
  ENCRYPTED_COLUMNS,
  type ConnectionStatus,
  type SyncRunStatus,
  type Database,
  type ConnectionRow,
  type OAuthTokenRow,
  type PendingAuthorizationRow,
  type RecordRow,
  type SyncRunRow,
  type HostApiKeyRow,
  type AuditLogRow,
} from "./store/schema.js";
export { Vault, type RotateResult, type MasterKeyRotateResult, type VaultOptions } from "./vault/vault.js";
export { VaultError, aadString, MASTER_KEY_MISSING, MASTER_KEY_MISMATCH, MASTER_KEY_ROTATED, MASTER_KEY_UNCHANGED, type VaultAad, type VaultErrorCode } from "./vault/cipher.js";
export { loadMasterKey, findMasterKey, parseMasterKey, generateMasterKey, masterKeyCandidates, MASTER_KEY_ENV, MASTER_KEY_FILE, NEXT_MASTER_KEY_FILE, type LoadedMasterKey } from "./vault/master-key.js";
export { rotateMasterKey, type MasterKeyRotationResult } from "./vault/master-key-rotation.js";
export { CachedKeyringReader, KEYRING_POLL_MS, type KeyringReader } from "./vault/keyring-reader.js";
export { ensureDataDir, tightenFileMode, writePrivateFile, openPrivateAppendStream, DataDirError, DATA_DIR_NOT_DIRECTORY, DATA_DIR_NOT_OWNED, DATABASE_CORRUPT, DATABASE_LOCKED, PRIVATE_DIR_MODE, PRIVATE_FILE_MODE, type DataDirErrorCode } from "./store/data-dir.js";
export { scrubFreedPages, type ScrubResult } from "./store/compact.js";
export { Credentials, CredentialError, credentialFix, type OAuthAppCredential, type OAuthAppCredentialSummary } from "./credentials/credentials.js";
export { createHostHttp, HostHttpError, jsonBody, type HostHttp, type HostHttpRequest, type HostHttpResponse, type HostHttpOptions } from "./http/host-http.js";
export { providerRouter, parseProviderRoutes, type ProviderRoute } from "./http/provider-routes.js";
export { OAuthFlow } from "./oauth/flow.js";
export { OAuthFlowError, type OAuthFlowErrorCode } from "./oauth/errors.js";
export { startAuthorization, buildAuthorizationUrl, validatedSettings, splitSettings, type StartAuthorizationInput, type StartAuthorizationResult } from "./oauth/authorize.js";
export { completeAuthorization, consumeState, runCallbackVerifiers, exchangeCode, checkProviderError, checkIssuer, type CallbackContext, type CallbackQuery, type CompleteAuthorizationResult } from "./oauth/callback.js";
export { STATE_TTL_MS, type OAuthFlowDeps } from "./oauth/deps.js";
export { providerAccountFrom, type CandidateAuthorization, type PostConnectRunner, type PostConnectResponse, type ProviderAccount } from "./oauth/post-connect.js";
export { requestToken, parseTokenResponse, parseScopes, readPath, TokenEndpointError, type TokenSet, type TokenRequest } from "./oauth/token-endpoint.js";
export { hashState, pkceChallengeS256, pkceVerifier } from "./oauth/pkce.js";
export { TokenManager, blockedReasonOf, type TokenManagerOptions, type RefreshOutcome } from "./tokens/token-manager.js";
export { readTokens, writeTokens, decryptTokens, type StoredTokens } from "./tokens/token-store.js";
export { disconnect, revocationRequest, type DisconnectResult } from "./tokens/revoke.js";
export { migrateTokens, type MigrateOutcome } from "./tokens/migrate.js";
export { registerProviderPlugin, registeringProviderPlugins } from "./app/provider-plugins.js";
export type { TokenDeps } from "./tokens/deps.js";
export { openHost, type Host, type OpenHostOptions } from "./app/open-host.js";
export { workspaceConnectorRegistry, staticConnectorRegistry, loadConnectorDir, ConnectorNotFoundError, type ConnectorRegistry, type LoadedConnector, type ConnectorLoadPreference } from "./app/connectors.js";
export { createHostLogger, silentLogger, type HostLogger, type HostLogLevel } from "./app/logger.js";
export { connectionSecret, connectionSettings } from "./app/settings.js";
// Part 2 (route runner, sync orchestration).
export { RouteRunner, createUndiciTransport, performHttp, DEFAULT_HTTP_LIMITS, type RouteRunnerOptions, type RunRouteRequest, type RouteRunResult, type RouteOutcome, type RouteDescription, type ConnectionServices, type RouteLogEntry, type StagedWrites, type StagedRecord, type StagedCheckpoint, type HttpTransport, type TransportRequest, type TransportResponse, type HttpLimits, type UndiciTransportOptions } from "./runner/index.js";
export { PROCESS_CONTROL_DENIED, ROUTE_MEMORY_LIMIT, ISOLATED_NEEDS_JAVASCRIPT, type RouteIsolation, type DescribedRouteAccess } from "./runner/index.js";
export { hostConnectionServices, hostHttpTransport, createPostConnectRunner, type ResolvedConnection } from "./app/runner-services.js";
export { SyncEngine, StreamLockedError, streamScopeNotices, syncEngineForHost, backoffDelay, commitStaged, startScheduler, type Scheduler, type SchedulerOptions, type SyncDeps, type SyncOptions, type SyncOutcome, type SyncProgress, type SyncResult, type ResolvedSyncConnection, type BackoffPolicy } from "./sync/index.js";
// Part 2 (server).
export { createServerApp, startHostServer, ListenError, createApiKey, verifyApiKey, hashApiKey, callbackUrl, connectUrl, type ServerAppOptions, type RunningServer, type StartHostServerOptions } from "./server/index.js";
export { createConnectSession, createReconnectSession, findConnectSession, CONNECT_SESSION_TTL_SECONDS, type ConnectSession, type ConnectSessionRequest, type MintedConnectSession } from "./oauth/connect-sessions.js";
// Host API key lifecycle (list, revoke) and the /api/keys routes.
export { revokeApiKey, validApiKeyName, hostApiKeysApp, ApiKeyError, API_KEY_NOT_FOUND, API_KEY_ALREADY_REVOKED, API_KEY_SELF_REVOKE, INVALID_API_KEY_NAME, type ApiKeyErrorCode, type ApiKeySummary } from "./server/index.js";
// Auth webhooks (connection created/reconnected/reauth_required/revoked, signed and retried).
export { emitAuthEvent, AUTH_EVENT_TYPES, type AuthEventType, type AuthEventPayload } from "./events/auth-events.js";
export {
  startAuthWebhookDeliverer,
  signAuthWebhook,
  authWebhookBackoffMs,
  AUTH_WEBHOOK_SIGNATURE_HEADER,
  AUTH_WEBHOOK_TIMESTAMP_HEADER,
  AUTH_WEBHOOK_EVENT_ID_HEADER,
  AUTH_WEBHOOK_SECRET_ENV,
  AUTH_WEBHOOK_MAX_ATTEMPTS,
  type AuthWebhookConfig,
  type AuthWebhookDeliverer,
} from "./events/auth-webhooks.js";
export type { AuthWebhookDeliveryRow, AuthWebhookDeliveryStatus } from "./store/schema.js";
export { AUTH_WEBHOOK_DELIVERY_STATUSES } from "./store/schema.js";
export { FileStore, createHostFiles, createDownloadTransport, downloadFile, type HostFiles, type HostFilesOptions, type DownloadTransport } from "./files/index.js";
// Job queue (graphile-worker on Postgres, in-process on SQLite), workers, operator endpoints and metrics.
export * from "./queue/index.js";
export * from "./ops/index.js";
/** Every error code the host's errors carry (error-codes.ts). */
export * from "./error-codes.js";
