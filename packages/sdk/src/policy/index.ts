// The policy: manifest rules enforced at run time, shared by the host and the test runtime.
export { isJsonContentType, parseResponseBody } from "./response-body.js";
export { assertHttpAllowed, assertRequestHeadersAllowed, describeUrl, matchesHttpPattern, parseHttpPattern, type HttpPattern } from "./http.js";
export { assertEntityWritable, assertSecretReadable, assertSettingReadable, isSecretSetting } from "./access.js";
export { checkIngestCall, validateIngestItems, type IngestError, type IngestItem, type IngestResult, type ValidatedItem } from "./ingest.js";
export { assertTokenHost, isTokenHost, providerHosts } from "./oauth-hosts.js";
export { decideAccessToken, missingScopes, type TokenDecision, type TokenState } from "./token.js";
export { unknownSettings, validateSettings, type SettingsProblem, type UnknownSetting } from "./settings.js";
export { applyHostValidation } from "../providers/host-validation.js";
export { timingSafeEqualText } from "./compare.js";
export { expandTemplate, placeholdersInHost, templatePlaceholders } from "../manifest/templates.js";
export {
  canonicalJson,
  canonicalPayload,
  checkValidatedDeletions,
  decideRecordCommit,
  decideRecordDelete,
  payloadHash,
  recordVersion,
  validateDeletions,
  type CanonicalPayload,
  type IncomingRecordState,
  type RecordCommitDecision,
  type RecordDeleteDecision,
  type RecordDeletion,
  type StoredRecordState,
  type ValidatedDeletion,
} from "./commit.js";
export { checkDeliveryIds, isDeliveryRemembered, DELIVERY_ID_RULE, MAX_DELIVERY_ID_LENGTH, MAX_DELIVERY_IDS_PER_CALL, WEBHOOK_DELIVERY_RETENTION_MS } from "./webhooks.js";
export { OPTIONAL_SCOPE_NOT_GRANTED, optionalScopeNotices, requestedScopes, type OptionalScopeNotice } from "./optional-scopes.js";
export {
  checkDownload,
  checkFileAccess,
  checkReadLinesOptions,
  checkReadStart,
  downloadRedirect,
  fileIdFor,
  parseFileId,
  sliceLines,
  DEFAULT_DOWNLOAD_TIMEOUT_MS,
  DOWNLOAD_REDIRECTS,
  FILE_LINE_TOO_LONG,
  FILE_NOT_FOUND,
  FILE_NOT_UTF8,
  FILE_OFFSET_INVALID,
  FILE_RETENTION_MS,
  FILE_TOO_LARGE,
  MAX_DOWNLOAD_REDIRECTS,
  MAX_READ_BYTES,
  MAX_READ_LINES,
} from "./files.js";
export { checkCheckpointSet, parseCheckpoint, CHECKPOINT_INVALID, type CheckpointIssue } from "./checkpoint.js";
export { followRedirect, MAX_REDIRECTS, REDIRECT_STATUSES, type RedirectHop } from "./redirect.js";
