// Every error code the CLI's own errors carry (oauth4webapi style); the host's and the SDK's
// codes are in their packages (`@backfill-io/host`, `@backfill-io/sdk`). The values are a
// stable API: a value never changes.

/** `backfill dryrun`: the stream is not one of the connector's streams. */
export const UNKNOWN_STREAM = "unknown_stream";
/** `backfill new`: the connector key is not a lowercase identifier. */
export const INVALID_CONNECTOR_KEY = "invalid_connector_key";
/** `backfill new --tenant-host`: the setting name is not an identifier. */
export const INVALID_TENANT_SETTING = "invalid_tenant_setting";
/** `backfill new`: connectors/<key> already exists. */
export const CONNECTOR_EXISTS = "connector_exists";
/** `backfill new`: the lockfile could not be updated with the new package. */
export const LOCKFILE_UPDATE_FAILED = "lockfile_update_failed";

/** Every code of the CLI's own errors. */
export const CLI_ERROR_CODES = [UNKNOWN_STREAM, INVALID_CONNECTOR_KEY, INVALID_TENANT_SETTING, CONNECTOR_EXISTS, LOCKFILE_UPDATE_FAILED] as const;
