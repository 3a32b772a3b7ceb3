// The CLI in a child process (from source), so SIGTERM is a real signal: serve and worker tests.
import { spawn, type ChildProcess } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const CLI_DIR = join(dirname(fileURLToPath(import.meta.url)), "..");

export type CliChild = { child: ChildProcess; out(): string; err(): string; exited: Promise<number | null>; waitFor(pattern: RegExp): Promise<RegExpExecArray> };

export function cliChild(args: string[], env: Record<string, string> = {}): CliChild {
  const script = `const { runCli } = await import("./src/index.ts"); process.exitCode = await runCli(["node", "backfill", ...process.argv.slice(1)]);`;
  const child = spawn(process.execPath, ["--import", "tsx", "--conditions=source", "--input-type=module", "-e", script, "--", ...args], {
    cwd: CLI_DIR,
    env: { ...process.env, BACKFILL_LOG_LEVEL: "error", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  let err = "";
  child.stdout.on("data", (c: Buffer) => (out += c.toString()));
  child.stderr.on("data", (c: Buffer) => (err += c.toString()));
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  const waitFor = (pattern: RegExp) =>
    new Promise<RegExpExecArray>((resolve, reject) => {
      const check = () => {
        const m = pattern.exec(out);
        if (m) resolve(m);
      };
      check();
      child.stdout.on("data", check);
      void exited.then((code) => reject(new Error(`the CLI exited (${code}) before printing ${pattern}: ${err}`)));
    });
  return { child, out: () => out, err: () => err, exited, waitFor };
}
