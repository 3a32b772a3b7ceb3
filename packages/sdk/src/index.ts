// @backfill-io/sdk: what connector code imports. The host-binding contract is `@backfill-io/sdk/host`.
export { defineConnector, validateManifest, ManifestError, type ManifestValidation } from "./manifest/define.js";
export { validateConnectorDir, routeFile, releaseChecklist, listRouteFiles, type ConnectorDirReport } from "./manifest/validate-dir.js";
export type { ManifestProblem } from "./manifest/rules.js";
export type { ConnectorManifest, ConnectorManifestInput, OAuthConfig, HostValidationRule, RouteRef, SettingsSchema, CustomRevocation } from "./manifest/schema.js";
export { manifestSchema } from "./manifest/schema.js";
export type { AnonymousRoutes } from "./manifest/schema.js";
export { routeAccess, ROUTE_AUTH_UNDECLARED, type RouteAccess } from "./manifest/route-access.js";
export { api, retryAfterSeconds, type Route, type RouteHandler, type RouteInput, type RouteRequest, type ErrorBody } from "./api/api.js";
export { OAuth, Http, Settings, Secrets, ingest, Checkpoint, log, Records, Connection, type HttpOptions, type IngestOptions } from "./runtime/calls.js";
export type { OAuthHttpAuth, HttpResponse, HttpMethod, AccessTokenOptions, LogLevel, CheckpointState, CheckpointOptions, RecordsRedaction, ConnectionStatusChange, ConnectionInfo } from "./runtime/binding.js";
export { BackfillError, ReauthRequiredError, PermissionDeniedError, isReauthRequired, REAUTH_REASONS, type BackfillErrorCode, type ReauthReason } from "./runtime/errors.js";
export { ENTITY_KINDS, ENTITY_NAMES, entityJsonSchemas, entityNameForKind, isEntityKind, type EntityKind, type EntityName } from "./entities/registry.js";
export { customerSchema, salesReceiptSchema, refundReceiptSchema, lineItemSchema, type Customer, type SalesReceipt, type RefundReceipt, type LineItem } from "./entities/schemas.js";
export { currencyExponent, decimalToMinor, minorToDecimal, formatMoney, isCurrencyCode, isMoneyInPrecision } from "./entities/money.js";
export { Redactor, redact, registerSecret, unregisterSecret, defaultRedactor, isSensitiveKey, REDACTED } from "./redaction/redactor.js";
export type { IngestResult, IngestError } from "./policy/ingest.js";
export { defineProviderPlugin, ProviderRegistry, PROVIDER_PLUGIN_CONFLICT, PROVIDER_PLUGIN_INVALID } from "./providers/registry.js";
export { exportedProviderPlugin } from "./providers/connector-module.js";
export type { CallbackVerifier, CallbackVerifierContext, HostNormalizer, ProviderPlugin, StoredTokenShape, TokenMigration, TokenPattern } from "./providers/types.js";
export { Webhooks } from "./runtime/calls.js";
export { runningFromSource } from "./runtime/source-mode.js";
export { WEBHOOK_DELIVERY_RETENTION_MS } from "./policy/webhooks.js";
export type { RecordDeletion } from "./policy/commit.js";

/** Route configuration a route module exports as `config`. */
export type RouteConfig = { auth: "api_key" | "public" | "webhook" };
export { Files, type FileDownloadOptions } from "./runtime/files.js";
export type { DownloadedFile, FileLines, ReadLinesOptions } from "./runtime/binding.js";
export { FILE_LINE_TOO_LONG, FILE_NOT_FOUND, FILE_NOT_UTF8, FILE_OFFSET_INVALID, FILE_TOO_LARGE } from "./policy/files.js";
export { CHECKPOINT_INVALID, type CheckpointIssue } from "./policy/checkpoint.js";
/** Constant-time comparison of two strings (signatures, HMACs): for connectors that verify what providers sign. */
export { timingSafeEqualText } from "./policy/compare.js";
/** zod, for Checkpoint.get(stream, schema) and route input schemas (connectors import only the SDK and oauth-helpers). */
export { z } from "zod";
