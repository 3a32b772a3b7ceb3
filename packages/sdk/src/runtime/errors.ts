// Errors thrown by SDK calls. Each carries a stable machine-readable `code`
// (oauth4webapi style) and never a token: messages are built from names, not values.

import { NO_HOST_BOUND, PERMISSION_DENIED, REAUTH_REQUIRED, type BackfillErrorCode } from "./error-codes.js";

/** What a BackfillError takes besides its code and message. */
export type BackfillErrorOptions = {
  cause?: unknown;
  /** What fixes it, as a sentence naming no command of a particular tool (the CLI prints it on its own `fix:` line). */
  fix?: string;
};

/**
 * The one error class of Backfill: the SDK, the host and the CLI throw it (or a subclass that
 * carries what a caller reads besides the code). Callers tell errors apart by `code`, a
 * constant of the package that defines it (`Code` narrows it where one component's codes are
 * known; `isBackfillError(error, codes)` checks and narrows).
 */
export class BackfillError<Code extends string = string> extends Error {
  /** `instanceof BackfillError` narrows to a BackfillError of any code (TypeScript would say `BackfillError<any>`). */
  static override [Symbol.hasInstance]<T>(this: abstract new (...args: never[]) => T, value: unknown): value is T {
    return Function.prototype[Symbol.hasInstance].call(this, value);
  }

  readonly code: Code;
  readonly details: Record<string, unknown> | undefined;
  /** What fixes it, never part of `message`. */
  readonly fix: string | undefined;

  constructor(code: Code, message: string, details?: Record<string, unknown>, options: BackfillErrorOptions = {}) {
    super(message, options.cause !== undefined ? { cause: options.cause } : undefined);
    this.name = "BackfillError";
    this.code = code;
    this.details = details;
    this.fix = options.fix;
  }

  toJSON(): Record<string, unknown> {
    return { name: this.name, code: this.code, message: this.message, ...(this.details ? { details: this.details } : {}), ...(this.fix ? { fix: this.fix } : {}) };
  }
}

/** True when `error` is a BackfillError carrying one of `codes`: how callers tell errors apart (by code, never by class or message). */
export function isBackfillError<Code extends string>(error: unknown, codes: readonly Code[]): error is BackfillError<Code> {
  return error instanceof BackfillError && (codes as readonly string[]).includes(error.code);
}

export type ReauthReason = "missing_token" | "missing_scopes" | "expired" | "refresh_failed" | "revoked";

export const REAUTH_REASONS: readonly ReauthReason[] = ["missing_token", "missing_scopes", "expired", "refresh_failed", "revoked"];

/** Thrown by `OAuth.accessToken()` when the connection must be authorized again. */
export class ReauthRequiredError extends BackfillError {
  override readonly code = REAUTH_REQUIRED;
  readonly reason: ReauthReason;
  readonly missingScopes: string[] | undefined;

  constructor(reason: ReauthReason, options: { missingScopes?: string[]; message?: string } = {}) {
    const missing = options.missingScopes?.length ? `: missing ${options.missingScopes.join(", ")}` : "";
    super(REAUTH_REQUIRED, options.message ?? `OAuth connection needs to be authorized again (${reason}${missing})`, {
      reason,
      ...(options.missingScopes ? { missingScopes: options.missingScopes } : {}),
    });
    this.name = "ReauthRequiredError";
    this.reason = reason;
    this.missingScopes = options.missingScopes;
  }
}

export class PermissionDeniedError extends BackfillError {
  override readonly code = PERMISSION_DENIED;
  constructor(message: string, details?: Record<string, unknown>) {
    super(PERMISSION_DENIED, message, details);
    this.name = "PermissionDeniedError";
  }
}

export class NoHostBoundError extends BackfillError {
  override readonly code = NO_HOST_BOUND;
  constructor(call: string) {
    super(NO_HOST_BOUND, `${call} needs a Backfill host, but no Backfill host is bound. Run the route through the host, or call connectorTestRuntime(...).install() in a test.`);
    this.name = "NoHostBoundError";
  }
}

export function isReauthRequired(error: unknown): error is { code: "reauth_required"; reason?: ReauthReason; missingScopes?: string[] } {
  return !!error && typeof error === "object" && (error as { code?: unknown }).code === "reauth_required";
}

/**
 * Rebuilds a typed error from its JSON form (used when an error crosses the
 * worker bridge): `code` survives so `error.code === "reauth_required"` holds.
 */
export function errorFromJSON(json: { code?: string; message?: string; details?: Record<string, unknown>; fix?: string }): BackfillError {
  const code = (json.code ?? "invalid_request") as BackfillErrorCode;
  if (code === "reauth_required") {
    const reason = (json.details?.reason as ReauthReason | undefined) ?? "missing_token";
    const missingScopes = json.details?.missingScopes as string[] | undefined;
    return new ReauthRequiredError(reason, { ...(missingScopes ? { missingScopes } : {}), ...(json.message ? { message: json.message } : {}) });
  }
  if (code === "permission_denied") return new PermissionDeniedError(json.message ?? "permission denied", json.details);
  return new BackfillError(code, json.message ?? code, json.details, json.fix ? { fix: json.fix } : {});
}
