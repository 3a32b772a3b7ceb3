// Errors thrown by SDK calls. Each carries a stable machine-readable `code`
// (oauth4webapi style) and never a token: messages are built from names, not values.

export type BackfillErrorCode =
  | "no_host_bound"
  | "reauth_required"
  | "permission_denied"
  | "invalid_request"
  | "invalid_manifest"
  | "http_error"
  | "timeout"
  | "ingest_rejected"
  | "setting_missing"
  | "secret_unavailable"
  | "file_too_large"
  | "file_not_found"
  | "file_line_too_long"
  | "file_offset_invalid"
  | "file_not_utf8"
  | "checkpoint_invalid"
  | "provider_plugin_conflict"
  | "provider_plugin_invalid";

export class BackfillError extends Error {
  readonly code: BackfillErrorCode;
  readonly details: Record<string, unknown> | undefined;

  constructor(code: BackfillErrorCode, message: string, details?: Record<string, unknown>, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "BackfillError";
    this.code = code;
    this.details = details;
  }

  toJSON(): Record<string, unknown> {
    return { name: this.name, code: this.code, message: this.message, ...(this.details ? { details: this.details } : {}) };
  }
}

export type ReauthReason = "missing_token" | "missing_scopes" | "expired" | "refresh_failed" | "revoked";

export const REAUTH_REASONS: readonly ReauthReason[] = ["missing_token", "missing_scopes", "expired", "refresh_failed", "revoked"];

/** Thrown by `OAuth.accessToken()` when the connection must be authorized again. */
export class ReauthRequiredError extends BackfillError {
  override readonly code = "reauth_required" as const;
  readonly reason: ReauthReason;
  readonly missingScopes: string[] | undefined;

  constructor(reason: ReauthReason, options: { missingScopes?: string[]; message?: string } = {}) {
    const missing = options.missingScopes?.length ? `: missing ${options.missingScopes.join(", ")}` : "";
    super("reauth_required", options.message ?? `OAuth connection needs to be authorized again (${reason}${missing})`, {
      reason,
      ...(options.missingScopes ? { missingScopes: options.missingScopes } : {}),
    });
    this.name = "ReauthRequiredError";
    this.reason = reason;
    this.missingScopes = options.missingScopes;
  }
}

export class PermissionDeniedError extends BackfillError {
  override readonly code = "permission_denied" as const;
  constructor(message: string, details?: Record<string, unknown>) {
    super("permission_denied", message, details);
    this.name = "PermissionDeniedError";
  }
}

export class NoHostBoundError extends BackfillError {
  override readonly code = "no_host_bound" as const;
  constructor(call: string) {
    super(
      "no_host_bound",
      `${call} needs a Backfill host, but no Backfill host is bound. Run the route through the host, or call connectorTestRuntime(...).install() in a test.`,
    );
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
export function errorFromJSON(json: { code?: string; message?: string; details?: Record<string, unknown> }): BackfillError {
  const code = (json.code ?? "invalid_request") as BackfillErrorCode;
  if (code === "reauth_required") {
    const reason = (json.details?.reason as ReauthReason | undefined) ?? "missing_token";
    const missingScopes = json.details?.missingScopes as string[] | undefined;
    return new ReauthRequiredError(reason, { ...(missingScopes ? { missingScopes } : {}), ...(json.message ? { message: json.message } : {}) });
  }
  if (code === "permission_denied") return new PermissionDeniedError(json.message ?? "permission denied", json.details);
  return new BackfillError(code, json.message ?? code, json.details);
}
