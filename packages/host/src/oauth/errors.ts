// Every failure of the authorization-code flow is an OAuthFlowError with a precise
// `code` (oauth4webapi style). Messages carry names and fixes, never a secret value.

export type OAuthFlowErrorCode =
  | "not_oauth_connector"
  | "invalid_settings"
  | "missing_client_credential"
  | "invalid_redirect_uri"
  | "provider_error"
  | "missing_state"
  | "unknown_state"
  | "state_replayed"
  | "state_expired"
  | "missing_code"
  | "connection_not_found"
  | "connector_not_found"
  | "callback_verification_failed"
  | "token_request_failed"
  | "token_response_invalid"
  | "missing_scopes"
  | "post_connect_failed"
  | "provider_account_mismatch"
  | "invalid_connect_session_request"
  | "connect_session_required"
  | "connect_session_invalid"
  | "connect_session_expired"
  | "connect_session_used"
  | "connector_not_allowed"
  | "unknown_setting"
  | "setting_preset"
  | "return_url_not_allowed"
  | "connector_mismatch"
  | "browser_mismatch"
  | "issuer_mismatch";

export class OAuthFlowError extends Error {
  readonly code: OAuthFlowErrorCode;
  /** A command or action that fixes it, when there is one. */
  readonly fix: string | undefined;
  readonly details: Record<string, unknown> | undefined;
  /** The message without the fix (the fix is its own field). */
  readonly summary: string;

  constructor(code: OAuthFlowErrorCode, message: string, opts: { fix?: string; details?: Record<string, unknown>; cause?: unknown } = {}) {
    super(opts.fix ? `${message}. Fix: ${opts.fix}` : message, opts.cause !== undefined ? { cause: opts.cause } : undefined);
    this.name = "OAuthFlowError";
    this.summary = message;
    this.code = code;
    this.fix = opts.fix;
    this.details = opts.details;
  }

  toJSON(): Record<string, unknown> {
    return { name: this.name, code: this.code, message: this.message, ...(this.details ? { details: this.details } : {}) };
  }
}
