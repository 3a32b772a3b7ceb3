// Hostile routes in isolated mode: each runs in a child process under Node's permission
// model (reads limited to the connector's and the SDK's packages, no writes, no child
// processes, no workers), with an empty environment and a memory cap that counts Buffers.
// Every attack fails with a clear error for the route, and the host process is unharmed.
// What the permission model cannot block (raw network: fetch, net, dgram) is asserted as the
// documented gap (README "Trust model": run the host behind a firewall allowing the manifests' hosts).
import { existsSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RouteRunner } from "../../src/runner/index.js";
import { buildConnector } from "./build-connector.js";
import { attack, errorCode, HOSTILE_DIR, hostileBed, served } from "./hostile-support.js";

const MEMORY_LIMIT_MB = 64;
const CHILD_ENTRY = join(HOSTILE_DIR, "..", "..", "..", "dist", "runner", "child.js");

beforeAll(() => {
  if (!existsSync(CHILD_ENTRY)) throw new Error("packages/host/dist is missing: `turbo run test` builds it first, or run `npx tsc -p tsconfig.build.json`");
  rmSync(join(HOSTILE_DIR, "dist"), { recursive: true, force: true });
  buildConnector(join(HOSTILE_DIR, "src"), join(HOSTILE_DIR, "dist", "src"));
});
const bed = hostileBed(
  (dataDir) =>
    new RouteRunner({ isolation: "isolated", mode: "dist", routeTimeoutMs: 15_000, memoryLimitMb: MEMORY_LIMIT_MB, maxWorkersPerConnector: 1, protectedPaths: [dataDir] }),
);
afterAll(() => rmSync(join(HOSTILE_DIR, "dist"), { recursive: true, force: true }));

/**
 * Runs an attack between two clean invocations: it fails with `code` (a 500 the route's api()
 * wrapper answered for a denied API, or the runner's failure), the host is unharmed, and a
 * child that tried process control or passed its memory limit is replaced.
 */
async function refused(body: Parameters<typeof attack>[2], code: string, outcome = "error"): Promise<void> {
  const before = await served(bed.runner, bed.services);
  expect(before.pid).not.toBe(process.pid); // route code runs in a child process
  const r = await attack(bed.runner, bed.services, body);
  expect(r.outcome, r.bodyText).toBe(code === "ERR_ACCESS_DENIED" ? "ok" : outcome);
  expect(r.status).toBe(500);
  expect(errorCode(r)).toBe(code);
  expect(bed.signalsReceived).toBe(0);
  const after = await served(bed.runner, bed.services);
  expect(after.pid).not.toBe(process.pid);
  if (code !== "ERR_ACCESS_DENIED") expect(after.pid).not.toBe(before.pid);
}

describe("isolated mode: hostile routes fail to do harm", () => {
  it("runs a clean route in a reused child process", async () => {
    const first = await served(bed.runner, bed.services);
    expect((await served(bed.runner, bed.services)).pid).toBe(first.pid);
    expect(bed.runner.workersStarted).toBe(1);
  });

  it("gives the child an empty environment", async () => {
    const r = await attack(bed.runner, bed.services, { mode: "env" });
    expect(JSON.parse(r.bodyText)).toEqual({ env: {} });
  });

  it("cannot read the master key or the database, open the database or write files", async () => {
    await refused({ mode: "read-file", path: bed.data.masterKey }, "ERR_ACCESS_DENIED");
    await refused({ mode: "read-file", path: bed.data.database }, "ERR_ACCESS_DENIED");
    await refused({ mode: "open-db", path: bed.data.database }, "ERR_ACCESS_DENIED");
    const target = join(bed.data.dataDir, "planted.txt");
    await refused({ mode: "write-file", path: target }, "ERR_ACCESS_DENIED");
    expect(existsSync(target)).toBe(false);
    // and the files are as they were
    expect(readFileSync(bed.data.masterKey).length).toBeGreaterThan(0);
  });

  it("cannot spawn processes or start workers", async () => {
    await refused({ mode: "child-process" }, "ERR_ACCESS_DENIED");
    await refused({ mode: "worker" }, "ERR_ACCESS_DENIED");
  });

  it.each(["kill-host", "kill-parent", "abort", "exit", "really-exit", "dlopen"])("cannot %s: process_control_denied, the child is replaced", async (mode) => {
    await refused({ mode }, "process_control_denied");
  });

  it("is stopped holding Buffers past its memory limit", async () => {
    await refused({ mode: "buffers", megabytes: 2 * MEMORY_LIMIT_MB }, "route_memory_limit", "memory_limit");
  });

  it("is stopped by the RSS watch when it keeps allocating Buffers without an SDK call", async () => {
    await refused({ mode: "buffers", megabytes: 6 * MEMORY_LIMIT_MB }, "route_memory_limit", "memory_limit");
  });

  it("starts no child when the data dir sits inside a path it could read", async () => {
    const exposing = new RouteRunner({ isolation: "isolated", mode: "dist", protectedPaths: [join(HOSTILE_DIR, ".backfill")] });
    try {
      const r = await attack(exposing, bed.services, { mode: "check" });
      expect(r).toMatchObject({ status: 500, outcome: "crashed" });
      expect(errorCode(r)).toBe("isolated_path_exposed");
      expect(exposing.workersStarted).toBe(0);
    } finally {
      await exposing.close();
    }
  });

  it("documented gap: can still reach the network directly (fetch to a host outside permissions.http)", async () => {
    const r = await attack(bed.runner, bed.services, { mode: "fetch", url: bed.forbidden.base });
    expect(JSON.parse(r.bodyText)).toEqual({ status: 200 });
  });
});
