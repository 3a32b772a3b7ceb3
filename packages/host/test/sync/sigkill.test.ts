// A host killed with SIGKILL mid-sync loses nothing: the rerun resumes from the last
// committed checkpoint and the record set ends exactly as a clean run's.
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, expect, it } from "vitest";
import { customerPages, json, startServer, type TestServer } from "../runner/support.js";
import { createDemoConnection, openSyncHost, recordSet, type SyncHost } from "./support.js";

const PAGES = 30;
const PER_PAGE = 10;
let server: TestServer;
let sh: SyncHost;

beforeAll(async () => {
  const pages = customerPages(PAGES, PER_PAGE);
  server = await startServer((req, res) => {
    const page = Number(new URL(req.url ?? "/", "http://x").searchParams.get("page") ?? 1);
    setTimeout(() => json(res, 200, pages(page)), 25);
  });
  sh = await openSyncHost(server.port);
});

afterAll(async () => {
  await sh.close();
  await server.close();
});

it("resumes after SIGKILL from the last committed checkpoint with no loss and no duplicate", async () => {
  const killed = await createDemoConnection(sh.host, server.base);
  const clean = await createDemoConnection(sh.host, server.base);

  const child = spawn(
    process.execPath,
    ["--import", "tsx", "--conditions=source", fileURLToPath(new URL("./child-sync.ts", import.meta.url)), sh.dataDir, String(server.port), killed],
    {
      cwd: fileURLToPath(new URL("../..", import.meta.url)),
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  let out = "";
  let err = "";
  child.stderr.on("data", (c: Buffer) => (err += c.toString()));
  const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on("exit", (_code, signal) => resolve(signal)));
  await new Promise<void>((resolve, reject) => {
    child.stdout.on("data", (c: Buffer) => {
      out += c.toString();
      if (/page 8\n/.test(out)) resolve();
    });
    void exited.then(() => reject(new Error(`child exited early: ${out} ${err}`)));
  });
  child.kill("SIGKILL");
  expect(await exited).toBe("SIGKILL");
  expect(out).not.toContain("done");

  // Killed mid-run: some pages committed, not all, and checkpoint and records agree.
  const checkpoint = (await sh.host.store.checkpoints.get(killed, "customers")) as { page: number };
  const committed = await sh.host.store.records.count(killed);
  expect(checkpoint.page).toBeGreaterThan(8);
  expect(checkpoint.page).toBeLessThan(PAGES);
  expect(committed).toBe((checkpoint.page - 1) * PER_PAGE);

  const resumed = await sh.engine.sync(killed, "customers");
  expect(resumed.outcome).toBe("succeeded");
  expect(resumed.pages).toBe(PAGES - checkpoint.page + 1);

  const reference = await sh.engine.sync(clean, "customers");
  expect(reference).toMatchObject({ outcome: "succeeded", pages: PAGES, accepted: PAGES * PER_PAGE });

  const after = await recordSet(sh.host, killed);
  expect(after).toHaveLength(PAGES * PER_PAGE);
  expect(new Set(after.map(([k]) => k)).size).toBe(after.length);
  expect(after).toEqual(await recordSet(sh.host, clean));

  // The interrupted run is recorded as such, not left "running".
  const runs = await sh.host.store.syncRuns.list({ connectionId: killed });
  expect(runs.map((r) => r.outcome).sort()).toEqual(["interrupted", "succeeded"]);
}, 40_000);
