// @backfill-io/oauth-helpers: what every OAuth connector shares (the design card's token lookup,
// reauth responses and log redaction, and the stream engine the connectors and the connector
// template import, with the types their declarations name). The rest of src/ is internal: a name
// joins this entry when a connector needs it.
export { MIN_TOKEN_TTL_SECONDS, providerAccessToken, missingProviderAccessResponse, withProviderAccess, type ReauthInfo } from "./access.js";
export { createLogger, type CreateLoggerOptions } from "./logger.js";
export { redact, registerSecret } from "@backfill-io/sdk";
export { rfc6749TokenPaths, TEST_CONNECTION_POST_CONNECT } from "./manifest.js";
export { syncStreamPage, flatStream, type StreamSpec, type PageQuery, type Completion, type PageReport } from "./stream/engine.js";
export {
  flatCursorCheckpoint,
  pageDoneOf,
  sparse,
  type CheckpointLayout,
  type FlatCursorCheckpoint,
  type Partition,
  type PassPosition,
  type StreamPosition,
} from "./stream/position.js";
export { MappingError, mapAndIngest, type MappedRecord } from "./stream/mapping.js";
export {
  DEFAULT_RETRY_AFTER_SECONDS,
  ProviderFailureError,
  httpFailure,
  providerFailureResponse,
  retryAfterHeaderSeconds,
  thrownFailureResponse,
  type FailureResponseOptions,
  type HttpFailureOptions,
  type ProviderFailure,
} from "./stream/provider-failure.js";
export { instantBefore, laterOf, latestOf, providerClock } from "./stream/timestamps.js";
/** Every error code oauth-helpers' errors and answers carry (error-codes.ts documents each). */
export { PROVIDER_ERROR, MAPPING_ERROR, OAUTH_HELPERS_ERROR_CODES } from "./error-codes.js";
