// Tables for people, JSON for scripts (`--json` on every read command).
import Table from "cli-table3";
import type { CliIO } from "./io.js";

export function printJson(io: CliIO, value: unknown): void {
  io.stdout(JSON.stringify(value, null, 2) + "\n");
}

export function printTable(io: CliIO, head: string[], rows: (string | number | null | undefined)[][]): void {
  const table = new Table({ head, style: { head: [], border: [] } });
  for (const row of rows) table.push(row.map((c) => (c === null || c === undefined ? "-" : String(c))));
  io.stdout(table.toString() + "\n");
}

export function isoTime(ms: number | null | undefined): string {
  return ms === null || ms === undefined ? "-" : new Date(ms).toISOString();
}
