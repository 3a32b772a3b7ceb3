// A real connector's sync over many pages reuses one route worker. The host runs as built
// (plain node, dist) in a child process, as `backfill sync` does: Square's orders stream
// against the emulator, through the sync engine. (Under vitest the host and its workers
// load from TypeScript through tsx, whose slower start hid the bug this guards against.)
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startDemoEnvironment, type DemoEnvironment } from "../../src/environment.js";

let dataDir: string;
let env: DemoEnvironment;
let connectionId: string;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), "backfill-reuse-"));
  // Square's orders stream reads 500 orders a page (SearchOrders' most), per batch of 10
  // locations: 1,500 orders over the demo's 12 locations make at least 3 pages.
  env = await startDemoEnvironment({ dataDir, mode: "source", orders: 1_500, seed: 5 });
  connectionId = (await env.connect("square", { environment: "production" })).connectionId;
}, 60_000);

afterAll(async () => {
  await env?.close();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

type ChildResult = { outcome: string; pages: number; error: string | null; workersStarted: number };

describe("route worker reuse across pages", () => {
  it("syncs Square orders over several pages in one worker", async () => {
    const { stdout } = await promisify(execFile)(process.execPath, [fileURLToPath(new URL("./child-sync-built.mjs", import.meta.url)), dataDir, connectionId, "orders"], {
      cwd: fileURLToPath(new URL("../..", import.meta.url)),
      env: { ...process.env, BACKFILL_PROVIDER_ROUTES: `https://connect.squareup.com=${env.square.url}` },
    });
    const result = JSON.parse(stdout.trim().split("\n").at(-1)!) as ChildResult;
    expect(result).toMatchObject({ outcome: "succeeded", error: null });
    expect(result.pages).toBeGreaterThanOrEqual(3);
    expect(result.workersStarted).toBe(1);
  }, 60_000);
});
