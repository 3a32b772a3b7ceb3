// @backfill-io/oauth-helpers: what every OAuth connector shares.
export { MIN_TOKEN_TTL_SECONDS, providerAccessToken, missingProviderAccessResponse, withProviderAccess, type ReauthInfo } from "./access.js";
export { createLogger, type CreateLoggerOptions } from "./logger.js";
export { redact, registerSecret, Redactor, defaultRedactor, isSensitiveKey, REDACTED } from "@backfill-io/sdk";
export { rfc6749TokenPaths, TEST_CONNECTION_POST_CONNECT } from "./manifest.js";
export * from "./stream/index.js";
export { MAPPING_ERROR, OAUTH_HELPERS_ERROR_CODES } from "./error-codes.js";
