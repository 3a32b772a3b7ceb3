// Every error code oauth-helpers' errors and answers carry (oauth4webapi style). The values are
// a stable API (connectors' tests and the host compare them): a value never changes.

/** The provider did not give data (5xx, a 2xx body cut short, a 403 not about scopes): a route answers 502 with it. */
export const PROVIDER_ERROR = "provider_error";
/** A provider object the mapper cannot turn into a canonical record (MappingError): skipped and reported. */
export const MAPPING_ERROR = "mapping_error";

/** Every code of oauth-helpers. */
export const OAUTH_HELPERS_ERROR_CODES = [PROVIDER_ERROR, MAPPING_ERROR] as const;
