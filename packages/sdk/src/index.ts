// @backfill-io/sdk: what connector code imports. The host-binding contract is `@backfill-io/sdk/host`.
export { defineConnector, validateManifest, ManifestError, type ManifestValidation } from "./manifest/define.js";
export { validateConnectorDir, routeFile, releaseChecklist, listRouteFiles, type ConnectorDirReport } from "./manifest/validate-dir.js";
export type { ManifestProblem } from "./manifest/rules.js";
export type { ConnectorManifest, ConnectorManifestInput, OAuthConfig, HostValidationRule, RouteRef, SettingsSchema, CustomRevocation } from "./manifest/schema.js";
export { manifestSchema } from "./manifest/schema.js";
export { MIN_SCHEDULE_MS, scheduleEveryMs } from "./manifest/schedule.js";
export type { AnonymousRoutes } from "./manifest/schema.js";
export { routeAccess, ROUTE_AUTH_UNDECLARED, type RouteAccess } from "./manifest/route-access.js";
export { api, retryAfterSeconds, type Route, type RouteHandler, type RouteInput, type RouteRequest, type ErrorBody } from "./api/api.js";
export { OAuth, Http, Settings, Secrets, ingest, Checkpoint, log, Records, Connection, type HttpOptions, type IngestOptions } from "./runtime/calls.js";
export type {
  OAuthHttpAuth,
  HttpResponse,
  HttpMethod,
  AccessTokenOptions,
  LogLevel,
  CheckpointState,
  CheckpointOptions,
  RecordsRedaction,
  ConnectionStatusChange,
  ConnectionInfo,
} from "./runtime/binding.js";
export {
  BackfillError,
  isBackfillError,
  ReauthRequiredError,
  PermissionDeniedError,
  isReauthRequired,
  REAUTH_REASONS,
  type BackfillErrorOptions,
  type ReauthReason,
} from "./runtime/errors.js";
/** Every error code the SDK's errors carry, one constant each, with BACKFILL_ERROR_CODES and isBackfillErrorCode (error-codes.ts documents them). */
export * from "./runtime/error-codes.js";
export { ENTITY_KINDS, ENTITY_NAMES, entityJsonSchemas, entityNameForKind, isEntityKind, type EntityKind, type EntityName } from "./entities/registry.js";
export {
  customerSchema,
  salesReceiptSchema,
  refundReceiptSchema,
  lineItemSchema,
  type Customer,
  type SalesReceipt,
  type RefundReceipt,
  type LineItem,
} from "./entities/schemas.js";
export { currencyExponent, decimalToMinor, minorToDecimal, formatMoney, isCurrencyCode, isMoneyInPrecision } from "./entities/money.js";
export { Redactor, redact, registerSecret, unregisterSecret, defaultRedactor, isSensitiveKey, REDACTED } from "./redaction/redactor.js";
export type { IngestResult, IngestError } from "./policy/ingest.js";
export { defineProviderPlugin, ProviderRegistry } from "./providers/registry.js";
export { exportedProviderPlugin, PROVIDER_PLUGIN_EXPORT } from "./providers/connector-module.js";
export type { CallbackVerifier, CallbackVerifierContext, HostNormalizer, ProviderPlugin, StoredTokenShape, TokenMigration, TokenPattern } from "./providers/types.js";
export { Webhooks } from "./runtime/calls.js";
export { runningFromSource } from "./runtime/source-mode.js";
export { WEBHOOK_DELIVERY_RETENTION_MS } from "./policy/webhooks.js";
export type { RecordDeletion } from "./policy/commit.js";

/** Route configuration a route module exports as `config`. */
export type RouteConfig = { auth: "api_key" | "public" | "webhook" };
export { Files, type FileDownloadOptions } from "./runtime/files.js";
export type { DownloadedFile, FileLines, ReadLinesOptions } from "./runtime/binding.js";
export { FILE_RETENTION_MS } from "./policy/files.js";
export { type CheckpointIssue } from "./policy/checkpoint.js";
/** Constant-time comparison of two strings (signatures, HMACs): for connectors that verify what providers sign. */
export { timingSafeEqualText } from "./policy/compare.js";
/** zod, for Checkpoint.get(stream, schema) and route input schemas (connectors import only the SDK and oauth-helpers). */
export { z } from "zod";
