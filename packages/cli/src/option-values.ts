// Commander argument parsers shared by several commands: each turns an option's text into
// its value, or throws a CliError whose fix shows a valid value.
import { CliError } from "./errors.js";
import { INVALID_OPTION_VALUE } from "./error-codes.js";
import { parseDuration } from "./duration.js";

/** --limit: a whole number from 1 to 100,000. */
export function positiveLimit(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 100_000) throw new CliError(INVALID_OPTION_VALUE, `--limit ${value} is not a whole number from 1 to 100000`, "pass e.g. --limit 50");
  return n;
}

/** --port: a TCP port; 0 lets the system pick a free one. */
export function port(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new CliError(INVALID_OPTION_VALUE, `--port ${value} is not a port`, "pass a number from 1 to 65535 (0 picks a free one)");
  return n;
}

/** --public-url: an absolute http(s) origin, no path, query or credentials. */
export function publicUrl(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new CliError(INVALID_OPTION_VALUE, `--public-url ${value} is not a URL`, "pass e.g. --public-url https://connect.example.com");
  }
  if ((url.protocol !== "https:" && url.protocol !== "http:") || url.pathname !== "/" || url.search || url.hash || url.username || url.password) {
    throw new CliError(
      INVALID_OPTION_VALUE,
      `--public-url ${value} must be an http(s) origin without a path, query or credentials`,
      "pass e.g. --public-url https://connect.example.com",
    );
  }
  return url.origin;
}

/** The shortest sync interval `serve` accepts: a shorter one is a back-to-back loop against the provider. */
export const MIN_SYNC_INTERVAL_MS = 60_000;

/** --interval: a duration of at least a minute (MIN_SYNC_INTERVAL_MS). */
export function syncInterval(value: string): number {
  const ms = parseDuration(value);
  if (ms < MIN_SYNC_INTERVAL_MS)
    throw new CliError(
      INVALID_OPTION_VALUE,
      `--interval ${value} is shorter than a minute`,
      "pass e.g. --interval 15m (at least 1m: syncs run one after another, each against the provider's rate limits)",
    );
  return ms;
}
