// Two processes writing one data dir: deferred transactions that read first and write
// second fail with SQLITE_BUSY when the other process committed in between (the busy
// timeout cannot help an upgrade from a stale snapshot). Write transactions start with
// BEGIN IMMEDIATE, so they queue on the busy timeout instead.
import { spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { openDatabase } from "../src/store/open.js";
import { Store } from "../src/store/store.js";

const WRITER = join(dirname(fileURLToPath(import.meta.url)), "fixtures", "contention", "writer.ts");

function writer(dataDir: string, connectionId: string, rounds: number, startAt: number): Promise<{ failures: number; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", "--conditions=source", WRITER, dataDir, connectionId, String(rounds), String(startAt)], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    let err = "";
    child.stdout.on("data", (c: Buffer) => (out += c.toString()));
    child.stderr.on("data", (c: Buffer) => (err += c.toString()));
    child.on("error", reject);
    child.on("exit", (code) => (code === 0 ? resolve({ ...(JSON.parse(out) as { failures: number }), stderr: err }) : reject(new Error(`writer exited ${code}: ${err}`))));
  });
}

describe("two processes on one data dir", () => {
  it("never fail with SQLITE_BUSY: write transactions begin immediate", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "backfill-contention-"));
    const opened = await openDatabase({ dataDir });
    const connection = await new Store(opened.db).connections.create({ connectorKey: "demo", connectorVersion: "0.1.0", settings: {}, status: "active" });
    await opened.close();
    const startAt = Date.now() + 4000;
    const results = await Promise.all([1, 2, 3].map(() => writer(dataDir, connection.id, 200, startAt)));
    expect(results.map((r) => r.stderr).join("")).toBe("");
    expect(results.map((r) => r.failures)).toEqual([0, 0, 0]);
  }, 60_000);
});
