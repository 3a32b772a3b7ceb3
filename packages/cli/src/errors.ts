// CLI errors: one clear line, then the fix on its own line, and a non-zero exit.
import { BackfillError, redact, type CONNECTION_NOT_FOUND, type CONNECTOR_NOT_FOUND, type REAUTH_REQUIRED } from "@backfill-io/sdk";
import type { INVALID_CLIENT_SECRET } from "@backfill-io/host";
import type { CLI_ERROR_CODES } from "./error-codes.js";
import { cliFix } from "./fix-commands.js";

/** The CLI's own codes, and the SDK's and host's it shares for the same condition. */
export type CliErrorCode = (typeof CLI_ERROR_CODES)[number] | typeof CONNECTION_NOT_FOUND | typeof CONNECTOR_NOT_FOUND | typeof REAUTH_REQUIRED | typeof INVALID_CLIENT_SECRET;

/**
 * An error of the CLI itself (its arguments, its commands' outcomes). The class survives for
 * runCli, which reads `instanceof` for two things no code says: the process exit status
 * (`exitCode`: 130 for an interrupted sync, 2 for a command not in this CLI) and that the message
 * is printed without its code or a mapped fix (the CLI's own fix already names its command).
 */
export class CliError extends BackfillError<CliErrorCode> {
  constructor(
    code: CliErrorCode,
    message: string,
    fix?: string,
    readonly exitCode = 1,
  ) {
    super(code, message, undefined, fix !== undefined ? { fix } : {});
    this.name = "CliError";
  }
}

/**
 * The message and fix of any error, from its fields: `message`, `code`, `fix` and `details`
 * (every host and SDK error carries them). The fix is the CLI's command for the code when it
 * has one (fix-commands.ts), else the error's own `fix`.
 */
export function describeError(error: unknown): { message: string; fix?: string } {
  const e = error as { message?: unknown; fix?: unknown; code?: unknown; details?: unknown };
  const ownFix = typeof e?.fix === "string" ? e.fix : undefined;
  const details = e?.details && typeof e.details === "object" ? (e.details as Record<string, unknown>) : {};
  const fix = (error instanceof CliError ? undefined : cliFix(e?.code, { fix: ownFix, details })) ?? ownFix;
  const message = (typeof e?.message === "string" ? e.message : String(error)).split("\n")[0]!;
  const code = typeof e?.code === "string" && !(error instanceof CliError) ? ` (${e.code})` : "";
  return { message: redact(`${message}${code}`), ...(fix ? { fix: redact(fix) } : {}) };
}
