// @backfill-io/sdk: what connector code imports.
export { defineConnector, validateManifest, ManifestError, isDefinedManifest, type ManifestValidation } from "./manifest/define.js";
export { validateConnectorDir, routeFile, manifestRoutes, checkRoutesExist, releaseChecklist, listRouteFiles, type ConnectorDirReport, type AnonymousRouteEntry } from "./manifest/validate-dir.js";
export type { ManifestProblem } from "./manifest/rules.js";
export type { ConnectorManifest, ConnectorManifestInput, OAuthConfig, HostValidationRule, RouteRef, SettingsSchema, CustomRevocation } from "./manifest/schema.js";
export { manifestSchema } from "./manifest/schema.js";
export { MIN_SCHEDULE_MS, scheduleEveryMs } from "./manifest/schedule.js";
export type { AnonymousRoutes } from "./manifest/schema.js";
export { routeAccess, requestedRouteAuth, manifestDeclaresRoute, ROUTE_AUTH_UNDECLARED, type RouteAccess, type RouteAuth } from "./manifest/route-access.js";
export { api, isRoute, normalizeRouteInput, retryAfterSeconds, type Route, type RouteHandler, type RouteInput, type RouteRequest, type ErrorBody } from "./api/api.js";
export { OAuth, Http, Settings, Secrets, ingest, Checkpoint, log, Records, Connection, type HttpOptions, type IngestOptions } from "./runtime/calls.js";
export { bindHost, currentBinding, isHostBound, oauthAuthHeader, type OAuthHttpAuth, type HostBinding, type HttpRequestSpec, type HttpResponse, type HttpMethod, type AccessTokenOptions, type LogLevel, type CheckpointState, type CheckpointOptions, type RecordsRedaction, type ConnectionStatusChange, type ConnectionInfo } from "./runtime/binding.js";
export { BackfillError, ReauthRequiredError, PermissionDeniedError, NoHostBoundError, isReauthRequired, errorFromJSON, REAUTH_REASONS, type BackfillErrorCode, type ReauthReason } from "./runtime/errors.js";
export { ENTITY_KINDS, ENTITY_NAMES, entityJsonSchemas, entityNameForKind, isEntityKind, type EntityKind, type EntityName } from "./entities/registry.js";
export { customerSchema, salesReceiptSchema, refundReceiptSchema, lineItemSchema, type Customer, type SalesReceipt, type RefundReceipt, type LineItem } from "./entities/schemas.js";
export { currencyExponent, decimalToMinor, minorToDecimal, formatMoney, isCurrencyCode, isMoneyInPrecision } from "./entities/money.js";
export { Redactor, redact, registerSecret, unregisterSecret, defaultRedactor, isSensitiveKey, REDACTED } from "./redaction/redactor.js";
export type { IngestResult, IngestError } from "./policy/ingest.js";
export { defineProviderPlugin, ProviderRegistry, PROVIDER_PLUGIN_CONFLICT, PROVIDER_PLUGIN_INVALID } from "./providers/registry.js";
export { exportedProviderPlugin, PROVIDER_PLUGIN_EXPORT } from "./providers/connector-module.js";
export type { CallbackVerifier, CallbackVerifierContext, HostNormalizer, ProviderPlugin, StoredTokenShape, TokenMigration, TokenPattern } from "./providers/types.js";
export { Webhooks } from "./runtime/calls.js";
export { runningFromSource } from "./runtime/source-mode.js";
export { WEBHOOK_DELIVERY_RETENTION_MS, DELIVERY_ID_RULE } from "./policy/webhooks.js";
export type { RecordCommitDecision, RecordDeleteDecision, RecordDeletion, ValidatedDeletion } from "./policy/commit.js";

/** Route configuration a route module exports as `config`. */
export type RouteConfig = { auth: "api_key" | "public" | "webhook" };
export { Files, type FileDownloadOptions } from "./runtime/files.js";
export type { DownloadedFile, FileDownloadSpec, FileLines, ReadLinesOptions } from "./runtime/binding.js";
export { FILE_LINE_TOO_LONG, FILE_NOT_FOUND, FILE_NOT_UTF8, FILE_OFFSET_INVALID, FILE_TOO_LARGE, FILE_RETENTION_MS } from "./policy/files.js";
export { CHECKPOINT_INVALID, type CheckpointIssue } from "./policy/checkpoint.js";
/** Constant-time comparison of two strings (signatures, HMACs): for connectors that verify what providers sign. */
export { timingSafeEqualText } from "./policy/compare.js";
/** zod, for Checkpoint.get(stream, schema) and route input schemas (connectors import only the SDK and oauth-helpers). */
export { z } from "zod";
