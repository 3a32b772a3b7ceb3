// Every failure of the authorization-code flow is a BackfillError with a precise `code`, one of
// OAUTH_FLOW_ERROR_CODES (oauth4webapi style). Messages carry names, never a secret value; the fix is its own field.

import { BackfillError, isBackfillError } from "@backfill-io/sdk";
import { OAUTH_FLOW_ERROR_CODES } from "../error-codes.js";

/** One of OAUTH_FLOW_ERROR_CODES (error-codes.ts documents each). */
export type OAuthFlowErrorCode = (typeof OAUTH_FLOW_ERROR_CODES)[number];

/** A failure of the flow: the server answers it (and renders it to the merchant) by its code. */
export type OAuthFlowError = BackfillError<OAuthFlowErrorCode>;

export type OAuthFlowErrorOptions = {
  /** What fixes it, when something does: a sentence naming no CLI command (the CLI maps codes to its commands). Never part of `message`. */
  fix?: string;
  details?: Record<string, unknown>;
  cause?: unknown;
};

/** The flow's error of `code` (typed: only a flow code). */
export function oauthFlowError(code: OAuthFlowErrorCode, message: string, opts: OAuthFlowErrorOptions = {}): OAuthFlowError {
  return new BackfillError(code, message, opts.details, { ...(opts.fix !== undefined ? { fix: opts.fix } : {}), ...(opts.cause !== undefined ? { cause: opts.cause } : {}) });
}

/** True for an error of the flow (by its code, whatever threw it). */
export function isOAuthFlowError(error: unknown): error is OAuthFlowError {
  return isBackfillError(error, OAUTH_FLOW_ERROR_CODES);
}
