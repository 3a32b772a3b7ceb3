// The backfill CLI run in process with captured output, and the places a secret must never
// reach, shared by the command tests.
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { runCli, type CliIO } from "../src/index.js";

export type CliRun = { code: number; out: string; err: string };
export type CliRunOptions = { stdin?: string; onStdout?: (text: string) => void };

/**
 * `cli(args)` runs `backfill --data-dir <dataDir> ...args`; `printed` collects everything
 * every run wrote, for the canary checks at the end of a test file.
 */
export function inProcessCli(dataDir: string): { cli: (args: string[], opts?: CliRunOptions) => Promise<CliRun>; printed: string[] } {
  const printed: string[] = [];
  async function cli(args: string[], opts: CliRunOptions = {}): Promise<CliRun> {
    let out = "";
    let err = "";
    const stdin = new PassThrough();
    stdin.end(opts.stdin ?? "");
    const io: CliIO = {
      stdout: (t) => {
        out += t;
        opts.onStdout?.(t);
      },
      stderr: (t) => void (err += t),
      stdin,
      readSecret: async () => opts.stdin ?? "",
    };
    const code = await runCli(["node", "backfill", "--data-dir", dataDir, ...args], { io });
    printed.push(out, err);
    return { code, out, err };
  }
  return { cli, printed };
}

/** The bytes of the SQLite database files (main, WAL, shared memory) as text, to search for secrets. */
export function databaseFileTexts(dataDir: string): string[] {
  return readdirSync(dataDir)
    .filter((f) => f.startsWith("backfill.db"))
    .map((f) => readFileSync(join(dataDir, f)).toString("latin1"));
}
