// The host's log as people read it: one line per entry on stderr ("warning: <message>
// (field=value, ...)"), never pino's JSON. Messages and fields pass the SDK redactor first,
// exactly as the host's own logger does.
import { redact } from "@backfill-io/sdk";
import type { HostLogger, HostLogLevel } from "@backfill-io/host";
import type { CliIO } from "./io.js";

const LEVEL_ORDER: Record<HostLogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };
const LEVEL_LABEL: Record<HostLogLevel, string> = { debug: "debug", info: "info", warn: "warning", error: "error" };

/** `BACKFILL_LOG_LEVEL` when it names a level, else warn (a command's own output says what happened). */
export function cliLogLevel(env: NodeJS.ProcessEnv = process.env): HostLogLevel {
  const wanted = env.BACKFILL_LOG_LEVEL;
  return wanted && wanted in LEVEL_ORDER ? (wanted as HostLogLevel) : "warn";
}

function fieldText(value: unknown): string {
  if (typeof value === "string") return /\s/.test(value) ? JSON.stringify(value) : value;
  return JSON.stringify(value) ?? String(value);
}

/** One log entry as a line: `warning: token refresh failed (connectionId=conn_1, status=400)`. */
export function formatLogLine(level: HostLogLevel, message: string, fields?: Record<string, unknown>): string {
  const safeFields = redact(fields ?? {});
  const shown = Object.entries(safeFields).filter(([, v]) => v !== undefined);
  const suffix = shown.length ? ` (${shown.map(([k, v]) => `${k}=${fieldText(v)}`).join(", ")})` : "";
  return `${LEVEL_LABEL[level]}: ${redact(message)}${suffix}\n`;
}

export function createHumanLogger(io: CliIO, level: HostLogLevel = cliLogLevel()): HostLogger {
  const at =
    (entryLevel: HostLogLevel) =>
    (message: string, fields?: Record<string, unknown>): void => {
      if (LEVEL_ORDER[entryLevel] >= LEVEL_ORDER[level]) io.stderr(formatLogLine(entryLevel, message, fields));
    };
  return { debug: at("debug"), info: at("info"), warn: at("warn"), error: at("error") };
}
