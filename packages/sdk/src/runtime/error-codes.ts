// Every code a BackfillError carries, one constant each (oauth4webapi style). The values
// are a stable API: routes, the host and tests compare `error.code` with them, so a value
// never changes; a new condition gets a new code.

/** An SDK call ran with no host bound (outside a route invocation and outside connectorTestRuntime). */
export const NO_HOST_BOUND = "no_host_bound";
/** `OAuth.accessToken()` cannot give a token: the merchant must authorize the connection again. */
export const REAUTH_REQUIRED = "reauth_required";
/** A call the manifest's permissions do not allow (an Http host, a secret, a stream). */
export const PERMISSION_DENIED = "permission_denied";
/** A call's arguments are malformed (an ingest item, a deletion, a delivery id, a file option). */
export const INVALID_REQUEST = "invalid_request";
/** A manifest fails its schema or rules (`ManifestError`). */
export const INVALID_MANIFEST = "invalid_manifest";
/** An Http or file download failed: a network error, a redirect refused, a body too large. */
export const HTTP_ERROR = "http_error";
/** An Http request, a download or a token request took longer than its deadline. */
export const TIMEOUT = "timeout";
/** `Files.download`: the file is larger than its maxBytes. */
export const FILE_TOO_LARGE = "file_too_large";
/** `Files.readLines`: no such file (removed when its stream's sync ended, or purged). */
export const FILE_NOT_FOUND = "file_not_found";
/** `Files.readLines`: one line is longer than maxBytes. */
export const FILE_LINE_TOO_LONG = "file_line_too_long";
/** `Files.readLines`: the offset is not a byte offset at the start of a line within the file. */
export const FILE_OFFSET_INVALID = "file_offset_invalid";
/** `Files.readLines`: the bytes are not valid UTF-8. */
export const FILE_NOT_UTF8 = "file_not_utf8";
/** `Checkpoint.get(stream, schema)`: the stored state does not match the stream's schema. */
export const CHECKPOINT_INVALID = "checkpoint_invalid";
/** Two provider plug-ins claim the same provider, normalizer or verifier name. */
export const PROVIDER_PLUGIN_CONFLICT = "provider_plugin_conflict";
/** A provider plug-in (or a connector's providerPlugin export) is malformed. */
export const PROVIDER_PLUGIN_INVALID = "provider_plugin_invalid";
/** Connection settings fail the manifest's settingsSchema, requiredSettings or hostValidation. */
export const INVALID_SETTINGS = "invalid_settings";
/** The bound host does not offer this call (deletions, files, connection info, webhook deliveries). */
export const HOST_CAPABILITY_MISSING = "host_capability_missing";
/** A host call arrived after its route invocation had ended. */
export const INVOCATION_ENDED = "invocation_ended";
/** The route asked the host for a call it does not know. */
export const UNKNOWN_HOST_CALL = "unknown_host_call";
/** A host failure that is not one of these codes, as it reaches the route (its message redacted). */
export const HOST_ERROR = "host_error";
/** The connection the call or request names does not exist. */
export const CONNECTION_NOT_FOUND = "connection_not_found";
/** The connection's connector is not installed in this host. */
export const CONNECTOR_NOT_FOUND = "connector_not_found";
/** An OAuth step for a connector whose manifest has no oauth section. */
export const NOT_OAUTH_CONNECTOR = "not_oauth_connector";
/** The OAuth app credential (`client.credentialKey`) is not set: the operator's to fix, at connect and at refresh alike. */
export const MISSING_CLIENT_CREDENTIAL = "missing_client_credential";
/** The provider refused the OAuth app credential (invalid_client): its client secret is wrong or was rotated. */
export const CLIENT_CREDENTIAL_REJECTED = "client_credential_rejected";
/** `OAuth.accessToken({ minTtlSeconds })` asks for longer than a fresh token from the provider lives. */
export const MIN_TTL_UNSATISFIABLE = "min_ttl_unsatisfiable";

/** Every BackfillError code, for checks that a code is one of them (the worker bridge keeps these). */
export const BACKFILL_ERROR_CODES = [
  NO_HOST_BOUND,
  REAUTH_REQUIRED,
  PERMISSION_DENIED,
  INVALID_REQUEST,
  INVALID_MANIFEST,
  HTTP_ERROR,
  TIMEOUT,
  FILE_TOO_LARGE,
  FILE_NOT_FOUND,
  FILE_LINE_TOO_LONG,
  FILE_OFFSET_INVALID,
  FILE_NOT_UTF8,
  CHECKPOINT_INVALID,
  PROVIDER_PLUGIN_CONFLICT,
  PROVIDER_PLUGIN_INVALID,
  INVALID_SETTINGS,
  HOST_CAPABILITY_MISSING,
  INVOCATION_ENDED,
  UNKNOWN_HOST_CALL,
  HOST_ERROR,
  CONNECTION_NOT_FOUND,
  CONNECTOR_NOT_FOUND,
  NOT_OAUTH_CONNECTOR,
  MISSING_CLIENT_CREDENTIAL,
  CLIENT_CREDENTIAL_REJECTED,
  MIN_TTL_UNSATISFIABLE,
] as const;

export type BackfillErrorCode = (typeof BACKFILL_ERROR_CODES)[number];

const KNOWN_CODES: ReadonlySet<string> = new Set(BACKFILL_ERROR_CODES);

export function isBackfillErrorCode(code: unknown): code is BackfillErrorCode {
  return typeof code === "string" && KNOWN_CODES.has(code);
}
