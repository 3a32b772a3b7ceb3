// CLI errors: one clear line, then the fix on its own line, and a non-zero exit.
import { redact } from "@backfill-io/sdk";
import { cliFix } from "./fix-commands.js";

export class CliError extends Error {
  constructor(
    message: string,
    readonly fix?: string,
    readonly exitCode = 1,
  ) {
    super(message);
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
