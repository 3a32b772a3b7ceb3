// The host's logger: pino, with every message and field passed through the SDK
// redactor first (live registered secrets, token shapes, sensitive keys).
import { pino, type DestinationStream } from "pino";
import { redact } from "@backfill-io/sdk";

export type HostLogLevel = "debug" | "info" | "warn" | "error";

export interface HostLogger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

export function createHostLogger(opts: { level?: HostLogLevel; destination?: DestinationStream; name?: string } = {}): HostLogger {
  const logger = pino(
    { level: opts.level ?? (process.env.BACKFILL_LOG_LEVEL as HostLogLevel | undefined) ?? "info", name: opts.name ?? "backfill-host" },
    opts.destination ?? pino.destination(2),
  );
  const at =
    (level: HostLogLevel) =>
    (message: string, fields?: Record<string, unknown>): void => {
      logger[level](redact(fields ?? {}), redact(message));
    };
  return { debug: at("debug"), info: at("info"), warn: at("warn"), error: at("error") };
}

/** A logger that drops everything (library default when the caller passes none). */
export const silentLogger: HostLogger = { debug() {}, info() {}, warn() {}, error() {} };
