// The stream engine and what streams and webhooks share: see engine.ts.
export {
  syncStreamPage,
  flatStream,
  type StreamSpec,
  type FlatStreamSpec,
  type PageQuery,
  type FetchedPage,
  type Completion,
  type PagePlan,
  type PageReport,
  type StreamPageAnswer,
} from "./engine.js";
export {
  flatCursorCheckpoint,
  flatCursorLayout,
  pageDoneOf,
  sparse,
  type CheckpointLayout,
  type FlatCursorCheckpoint,
  type Partition,
  type PassPosition,
  type StreamPosition,
} from "./position.js";
export { MappingError, ingestRecords, mapAndIngest, mapObjects, type IngestSummary, type MappedRecord, type SkippedObject } from "./mapping.js";
export {
  DEFAULT_RETRY_AFTER_SECONDS,
  PROVIDER_ERROR,
  ProviderFailureError,
  httpFailure,
  providerFailureResponse,
  retryAfterHeaderSeconds,
  thrownFailureResponse,
  type FailureResponseOptions,
  type HttpFailureOptions,
  type ProviderFailure,
} from "./provider-failure.js";
export { instantBefore, laterOf, latestOf, providerClock } from "./timestamps.js";
