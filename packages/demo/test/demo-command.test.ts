// The `demo` command as `backfill-demo` registers it on the published `backfill` program:
// --help teaches with examples, bad input is one line plus the fix, the published commands remain.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import type { CliIO } from "@backfill-io/cli";
import { runDemoCli } from "../src/index.js";

async function demoCli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = "";
  let err = "";
  const stdin = new PassThrough();
  stdin.end("");
  const io: CliIO = { stdout: (t) => void (out += t), stderr: (t) => void (err += t), stdin, readSecret: () => Promise.resolve("") };
  const dataDir = join(mkdtempSync(join(tmpdir(), "backfill-demo-command-")), "data");
  const code = await runDemoCli(["node", "backfill-demo", "--data-dir", dataDir, ...args], io);
  return { code, out, err };
}

describe("backfill-demo", () => {
  it("demo --help has examples", async () => {
    const help = await demoCli(["demo", "--help"]);
    expect(help.code).toBe(0);
    expect(help.out).toContain("Examples:");
  });

  it("--open-browser without --serve is one line plus the fix", async () => {
    const demo = await demoCli(["demo", "--open-browser"]);
    expect(demo.err).toBe("error: --open-browser needs --serve\nfix: pass e.g. --serve 15m --open-browser\n");
  });

  it("keeps every published command beside demo", async () => {
    const help = await demoCli(["--help"]);
    for (const command of ["demo", "connect", "sync", "records", "serve", "worker"]) expect(help.out).toMatch(new RegExp(`^  ${command}\\b`, "m"));
  });
});
