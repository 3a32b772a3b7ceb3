// CLI errors: one clear line, then the fix on its own line, and a non-zero exit.
import { redact } from "@backfill-io/sdk";

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

/** The message and fix of any error (OAuthFlowError and others carry `fix`). */
export function describeError(error: unknown): { message: string; fix?: string } {
  const e = error as { message?: unknown; fix?: unknown; code?: unknown };
  let message = typeof e?.message === "string" ? e.message : String(error);
  const fix = typeof e?.fix === "string" ? e.fix : undefined;
  // OAuthFlowError puts ". Fix: …" in its message too; show it once.
  if (fix && message.endsWith(`. Fix: ${fix}`)) message = message.slice(0, -`. Fix: ${fix}`.length);
  message = message.split("\n")[0]!;
  const code = typeof e?.code === "string" && !(error instanceof CliError) ? ` (${e.code})` : "";
  return { message: redact(`${message}${code}`), ...(fix ? { fix: redact(fix) } : {}) };
}
