// Every failure of the authorization-code flow is an OAuthFlowError with a precise
// `code` (oauth4webapi style). Messages carry names, never a secret value; the fix is its own field.

import type { OAUTH_FLOW_ERROR_CODES } from "../error-codes.js";

/** One of OAUTH_FLOW_ERROR_CODES (error-codes.ts documents each). */
export type OAuthFlowErrorCode = (typeof OAUTH_FLOW_ERROR_CODES)[number];

export class OAuthFlowError extends Error {
  readonly code: OAuthFlowErrorCode;
  /** What fixes it, when something does: a sentence naming no CLI command (the CLI maps codes to its commands). Never part of `message`. */
  readonly fix: string | undefined;
  readonly details: Record<string, unknown> | undefined;

  constructor(code: OAuthFlowErrorCode, message: string, opts: { fix?: string; details?: Record<string, unknown>; cause?: unknown } = {}) {
    super(message, opts.cause !== undefined ? { cause: opts.cause } : undefined);
    this.name = "OAuthFlowError";
    this.code = code;
    this.fix = opts.fix;
    this.details = opts.details;
  }

  toJSON(): Record<string, unknown> {
    return { name: this.name, code: this.code, message: this.message, ...(this.details ? { details: this.details } : {}), ...(this.fix ? { fix: this.fix } : {}) };
  }
}
