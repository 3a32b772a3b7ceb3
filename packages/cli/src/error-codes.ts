// Every error code the CLI's own errors carry (oauth4webapi style); the host's and the SDK's
// codes are in their packages (`@backfill-io/host`, `@backfill-io/sdk`), and a CLI error of
// the same condition carries theirs (a connection that does not exist is connection_not_found
// in every layer). The values are a stable API: a value never changes.

/** An option's or argument's value is malformed (a number out of range, a URL, a duration, a status, an entity). */
export const INVALID_OPTION_VALUE = "invalid_option_value";
/** Two options that exclude each other were given together. */
export const CONFLICTING_OPTIONS = "conflicting_options";
/** A secret (a client secret, a master key) was given as an argument, where shell history and process lists keep it. */
export const SECRET_IN_ARGUMENT = "secret_in_argument";
/** A connector key names more than one connection: the command needs one id. */
export const AMBIGUOUS_CONNECTION = "ambiguous_connection";
/** `backfill sync`, `backfill dryrun`: the stream is not one of the connector's streams. */
export const UNKNOWN_STREAM = "unknown_stream";
/** `backfill sync`: the connector declares no streams. */
export const NO_STREAMS = "no_streams";
/** `backfill sync`: the connection is not active (revoked, failed, or waiting for authorization). */
export const CONNECTION_NOT_ACTIVE = "connection_not_active";
/** `backfill sync`: a stream failed (its run says why; the next sync resumes from the last committed page). */
export const SYNC_FAILED = "sync_failed";
/** `backfill sync`: interrupted (Ctrl-C); exit status 130. */
export const SYNC_CANCELLED = "sync_cancelled";
/** `backfill dryrun`: the route did not answer 2xx; nothing was committed. */
export const DRYRUN_PAGE_FAILED = "dryrun_page_failed";
/** `backfill tokens refresh-due`: some connections could not be refreshed. */
export const TOKEN_REFRESH_FAILED = "token_refresh_failed";
/** `backfill connections migrate-tokens`: some connections' tokens could not be migrated. */
export const TOKEN_MIGRATION_FAILED = "token_migration_failed";
/** `backfill connect`, `backfill serve`: the port to listen on is in use. */
export const PORT_IN_USE = "port_in_use";
/** `backfill connect`: no callback arrived within --timeout. */
export const CALLBACK_TIMEOUT = "callback_timeout";
/** `backfill worker`: no PostgreSQL database URL (the queue lives there). */
export const DATABASE_URL_REQUIRED = "database_url_required";
/** `backfill keys rotate --new-master-key <file>`: the file does not exist. */
export const MASTER_KEY_FILE_NOT_FOUND = "master_key_file_not_found";
/** `--auth-webhook-url` without a signing secret. */
export const AUTH_WEBHOOK_SECRET_MISSING = "auth_webhook_secret_missing";
/** `backfill validate`: problems or failed checklist items (listed above the error). */
export const VALIDATION_FAILED = "validation_failed";
/** `backfill new`: not run inside a pnpm workspace. */
export const NOT_IN_WORKSPACE = "not_in_workspace";
/** `backfill new`: the connector key is not a lowercase identifier. */
export const INVALID_CONNECTOR_KEY = "invalid_connector_key";
/** `backfill new --tenant-host`: the setting name is not an identifier. */
export const INVALID_TENANT_SETTING = "invalid_tenant_setting";
/** `backfill new`: connectors/<key> already exists. */
export const CONNECTOR_EXISTS = "connector_exists";
/** `backfill new`: the lockfile could not be updated with the new package. */
export const LOCKFILE_UPDATE_FAILED = "lockfile_update_failed";
/** `backfill demo`: the demo is not part of the published CLI (it runs from the repository). */
export const DEMO_NOT_PUBLISHED = "demo_not_published";

/** Every code of the CLI's own errors. */
export const CLI_ERROR_CODES = [
  INVALID_OPTION_VALUE,
  CONFLICTING_OPTIONS,
  SECRET_IN_ARGUMENT,
  AMBIGUOUS_CONNECTION,
  UNKNOWN_STREAM,
  NO_STREAMS,
  CONNECTION_NOT_ACTIVE,
  SYNC_FAILED,
  SYNC_CANCELLED,
  DRYRUN_PAGE_FAILED,
  TOKEN_REFRESH_FAILED,
  TOKEN_MIGRATION_FAILED,
  PORT_IN_USE,
  CALLBACK_TIMEOUT,
  DATABASE_URL_REQUIRED,
  MASTER_KEY_FILE_NOT_FOUND,
  AUTH_WEBHOOK_SECRET_MISSING,
  VALIDATION_FAILED,
  NOT_IN_WORKSPACE,
  INVALID_CONNECTOR_KEY,
  INVALID_TENANT_SETTING,
  CONNECTOR_EXISTS,
  LOCKFILE_UPDATE_FAILED,
  DEMO_NOT_PUBLISHED,
] as const;
