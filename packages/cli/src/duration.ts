// Durations: parsed from option values like 7d, 12h, 30m, 45s; formatted for tables.
import { CliError } from "./errors.js";
import { INVALID_OPTION_VALUE } from "./error-codes.js";

const UNITS: Record<string, number> = { s: 1000, m: 60_000, h: 3600_000, d: 86400_000, w: 7 * 86400_000 };

export function parseDuration(text: string): number {
  const m = /^(\d+)\s*([smhdw])$/i.exec(text.trim());
  if (!m) throw new CliError(INVALID_OPTION_VALUE, `${JSON.stringify(text)} is not a duration`, "use a number and a unit: 30m, 12h, 7d, 2w");
  return Number(m[1]) * UNITS[m[2]!.toLowerCase()]!;
}

/** A measured time for a table: 840 ms, 12.3 s, 4 m 7 s. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  return `${Math.floor(ms / 60_000)} m ${Math.round((ms % 60_000) / 1000)} s`;
}
