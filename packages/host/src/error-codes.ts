// Every error code the host's errors carry, in one place (oauth4webapi style). The values
// are a stable API (the API's JSON bodies, the CLI and tests compare them): a value never
// changes; a new condition gets a new code. Codes shared with routes (the worker bridge
// keeps them) are the SDK's and are re-exported here; codes of one component are defined
// beside its error class and listed here.

import { CONNECTION_NOT_FOUND, CONNECTOR_NOT_FOUND, INVALID_SETTINGS, MISSING_CLIENT_CREDENTIAL, NOT_OAUTH_CONNECTOR } from "@backfill-io/sdk";

// The SDK's codes the host throws itself (token manager, runner, route services).
export {
  CONNECTION_NOT_FOUND,
  CONNECTOR_NOT_FOUND,
  NOT_OAUTH_CONNECTOR,
  MISSING_CLIENT_CREDENTIAL,
  CLIENT_CREDENTIAL_REJECTED,
  MIN_TTL_UNSATISFIABLE,
  INVALID_SETTINGS,
  INVOCATION_ENDED,
  UNKNOWN_HOST_CALL,
  HOST_CAPABILITY_MISSING,
  HOST_ERROR,
} from "@backfill-io/sdk";

// OAuthFlowError: the authorization-code flow and connect sessions.
/** The provider's authorization server answered the callback with `error=` (the merchant declined, or the app is misconfigured). */
export const PROVIDER_ERROR = "provider_error";
/** The redirect URI is not an http(s) URL without fragment or userinfo. */
export const INVALID_REDIRECT_URI = "invalid_redirect_uri";
/** The callback has no `state` parameter. */
export const MISSING_STATE = "missing_state";
/** The callback's state matches no authorization this host started. */
export const UNKNOWN_STATE = "unknown_state";
/** The callback's state was already used (a replayed callback). */
export const STATE_REPLAYED = "state_replayed";
/** The authorization expired before its callback arrived. */
export const STATE_EXPIRED = "state_expired";
/** The callback has no `code` parameter. */
export const MISSING_CODE = "missing_code";
/** The provider's callback signature (e.g. an HMAC) did not verify. */
export const CALLBACK_VERIFICATION_FAILED = "callback_verification_failed";
/** The token endpoint could not be reached or refused the code. */
export const TOKEN_REQUEST_FAILED = "token_request_failed";
/** The token endpoint answered without the fields the manifest's token paths name. */
export const TOKEN_RESPONSE_INVALID = "token_response_invalid";
/** The provider granted fewer scopes than the manifest needs. */
export const MISSING_SCOPES = "missing_scopes";
/** The postConnect route failed or did not name the provider account. */
export const POST_CONNECT_FAILED = "post_connect_failed";
/** A reconnect authorized a different provider account than the connection's. */
export const PROVIDER_ACCOUNT_MISMATCH = "provider_account_mismatch";
/** A request to mint a connect session is malformed. */
export const INVALID_CONNECT_SESSION_REQUEST = "invalid_connect_session_request";
/** The connect page was opened without a connect session. */
export const CONNECT_SESSION_REQUIRED = "connect_session_required";
/** The connect session token is not one this host issued. */
export const CONNECT_SESSION_INVALID = "connect_session_invalid";
/** The connect session expired. */
export const CONNECT_SESSION_EXPIRED = "connect_session_expired";
/** The connect session was already used. */
export const CONNECT_SESSION_USED = "connect_session_used";
/** The connect session does not allow this connector (or this reconnect). */
export const CONNECTOR_NOT_ALLOWED = "connector_not_allowed";
/** A setting the connector's manifest does not declare. */
export const UNKNOWN_SETTING = "unknown_setting";
/** A setting the connect session fixed was given again. */
export const SETTING_PRESET = "setting_preset";
/** The return URL's origin is not in the host's allowlist. */
export const RETURN_URL_NOT_ALLOWED = "return_url_not_allowed";
/** The callback belongs to another connector than the one it arrived for. */
export const CONNECTOR_MISMATCH = "connector_mismatch";
/** The callback arrived in another browser than the one that started the flow. */
export const BROWSER_MISMATCH = "browser_mismatch";
/** The callback's `iss` is not the provider's issuer (RFC 9207). */
export const ISSUER_MISMATCH = "issuer_mismatch";

/** Every code an OAuthFlowError carries (OAuthFlowErrorCode is its union). */
export const OAUTH_FLOW_ERROR_CODES = [
  NOT_OAUTH_CONNECTOR,
  INVALID_SETTINGS,
  MISSING_CLIENT_CREDENTIAL,
  INVALID_REDIRECT_URI,
  PROVIDER_ERROR,
  MISSING_STATE,
  UNKNOWN_STATE,
  STATE_REPLAYED,
  STATE_EXPIRED,
  MISSING_CODE,
  CONNECTION_NOT_FOUND,
  CONNECTOR_NOT_FOUND,
  CALLBACK_VERIFICATION_FAILED,
  TOKEN_REQUEST_FAILED,
  TOKEN_RESPONSE_INVALID,
  MISSING_SCOPES,
  POST_CONNECT_FAILED,
  PROVIDER_ACCOUNT_MISMATCH,
  INVALID_CONNECT_SESSION_REQUEST,
  CONNECT_SESSION_REQUIRED,
  CONNECT_SESSION_INVALID,
  CONNECT_SESSION_EXPIRED,
  CONNECT_SESSION_USED,
  CONNECTOR_NOT_ALLOWED,
  UNKNOWN_SETTING,
  SETTING_PRESET,
  RETURN_URL_NOT_ALLOWED,
  CONNECTOR_MISMATCH,
  BROWSER_MISMATCH,
  ISSUER_MISMATCH,
] as const;

// Errors of one component without a module of codes of their own.
/** `credentials set`: the credential key is not an identifier. */
export const INVALID_CREDENTIAL_KEY = "invalid_credential_key";
/** `credentials set`: the client id is empty. */
export const INVALID_CLIENT_ID = "invalid_client_id";
/** `credentials set`: the client secret is empty. */
export const INVALID_CLIENT_SECRET = "invalid_client_secret";
// A token request (code exchange, refresh, token exchange) that failed (token-endpoint.ts).
/** The token endpoint refused the grant (a 4xx such as invalid_grant or invalid_client): retrying will not help. */
export const TOKEN_REQUEST_REJECTED = "token_request_rejected";
/** The token endpoint could not be reached, or answered 5xx or 429: retry later. */
export const TOKEN_ENDPOINT_UNAVAILABLE = "token_endpoint_unavailable";

/** Every code of a refused `credentials set` (the API answers them 400). */
export const CREDENTIAL_ERROR_CODES = [INVALID_CREDENTIAL_KEY, INVALID_CLIENT_ID, INVALID_CLIENT_SECRET] as const;

// Codes defined beside their component's error class (each documented there).
export { DATABASE_URL_INVALID, DATABASE_UNREACHABLE, DATABASE_SCHEMA_BEHIND, DATABASE_SCHEMA_AHEAD, MIGRATION_FAILED } from "./store/errors.js";
export { STREAM_LOCKED } from "./sync/sync.js";
export { DATA_DIR_NOT_DIRECTORY, DATA_DIR_NOT_OWNED, DATABASE_CORRUPT, DATABASE_LOCKED } from "./store/data-dir.js";
export {
  MASTER_KEY_ROTATED,
  MASTER_KEY_MISSING,
  MASTER_KEY_MISMATCH,
  MASTER_KEY_UNCHANGED,
  VAULT_DECRYPT_FAILED,
  VAULT_MALFORMED,
  VAULT_UNKNOWN_KEY,
  VAULT_MASTER_KEY,
} from "./vault/cipher.js";
export { API_KEY_NOT_FOUND, API_KEY_ALREADY_REVOKED, API_KEY_SELF_REVOKE, INVALID_API_KEY_NAME } from "./server/api-keys.js";
export { QUEUE_UNAVAILABLE, QUEUE_INVALID_JOB } from "./queue/queue.js";
export { WEBHOOK_ROUTE_FAILED } from "./queue/webhook-jobs.js";
export { ISOLATED_NEEDS_JAVASCRIPT, ISOLATED_PATH_EXPOSED } from "./runner/isolation.js";
export { PROCESS_CONTROL_DENIED, ROUTE_MEMORY_LIMIT } from "./runner/route-guards.js";
export { ROUTE_CRASHED } from "./runner/worker-failure.js";
export { NOT_READY } from "./ops/routes.js";
export { HTTP_TIMEOUT, HTTP_NETWORK, HTTP_TOO_LARGE, HTTP_INVALID_URL, HTTP_HEADER_FORBIDDEN } from "./http/errors.js";
export { LISTEN_FAILED } from "./server/serve.js";
