// Hostile routes in trusted mode (worker threads, the default). Trusted connectors are
// reviewed code with the host's privileges, so file, child-process and network access
// succeed by design (README "Trust model"); what the host still enforces: an empty
// environment, no signalling or exiting the host process, and a memory cap that counts Buffers.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RouteRunner } from "../../src/runner/index.js";
import { attack, CANARY_ENV_NAME, CANARY_ENV_VALUE, errorCode, hostDataDir, hostileServices, served, type HostDataDir } from "./hostile-support.js";
import { json, startServer, type TestServer } from "./support.js";

const MEMORY_LIMIT_MB = 64;
let runner: RouteRunner;
let data: HostDataDir;
let forbidden: TestServer;
const services = hostileServices();
let signalsReceived = 0;
const countSignal = () => signalsReceived++;

beforeAll(async () => {
  process.env[CANARY_ENV_NAME] = CANARY_ENV_VALUE;
  process.on("SIGUSR2", countSignal);
  runner = new RouteRunner({ routeTimeoutMs: 10_000, memoryLimitMb: MEMORY_LIMIT_MB, maxWorkersPerConnector: 1 });
  data = await hostDataDir();
  forbidden = await startServer((_req, res) => json(res, 200, { reached: true }));
});

afterAll(async () => {
  process.off("SIGUSR2", countSignal);
  delete process.env[CANARY_ENV_NAME];
  await runner.close();
  await forbidden.close();
});

describe("trusted mode: what the host enforces", () => {
  it("gives route workers an empty environment", async () => {
    const r = await attack(runner, services, { mode: "env" });
    expect(r.outcome).toBe("ok");
    expect(JSON.parse(r.bodyText)).toEqual({ env: {} });
    expect(r.bodyText).not.toContain(CANARY_ENV_VALUE);
  });

  it.each(["kill-host", "kill-parent", "abort", "exit", "really-exit", "dlopen"])("refuses %s with process_control_denied and replaces the worker", async (mode) => {
    const before = await served(runner, services);
    const r = await attack(runner, services, { mode });
    expect(r).toMatchObject({ outcome: "error", status: 500 });
    expect(errorCode(r)).toBe("process_control_denied");
    expect(signalsReceived).toBe(0);
    const after = await served(runner, services);
    expect(after.pid).toBe(process.pid); // the host process is still the one serving routes
    expect(after.threadId).not.toBe(before.threadId);
  });

  it("stops a route holding Buffers past the memory limit and replaces the worker", async () => {
    const before = await served(runner, services);
    const r = await attack(runner, services, { mode: "buffers", megabytes: 2 * MEMORY_LIMIT_MB });
    expect(r).toMatchObject({ outcome: "memory_limit", status: 500 });
    expect(errorCode(r)).toBe("route_memory_limit");
    expect((await served(runner, services)).threadId).not.toBe(before.threadId);
  });
});

describe("trusted mode: what it allows by design (documented)", () => {
  it("lets a route read and open the host's files, spawn processes and call hosts its manifest does not list", async () => {
    const read = await attack(runner, services, { mode: "read-file", path: data.masterKey });
    expect(JSON.parse(read.bodyText)).toMatchObject({ bytes: expect.any(Number) as number });
    expect((await attack(runner, services, { mode: "read-file", path: data.database })).outcome).toBe("ok");
    expect(JSON.parse((await attack(runner, services, { mode: "open-db", path: data.database })).bodyText)).toEqual({ opened: true });
    expect(JSON.parse((await attack(runner, services, { mode: "child-process" })).bodyText)).toEqual({ output: "spawned" });
    // fetch() bypasses the SDK's Http (and so the manifest's permissions.http): only isolated mode's network rules stop it.
    expect(JSON.parse((await attack(runner, services, { mode: "fetch", url: forbidden.base })).bodyText)).toEqual({ status: 200 });
    expect(forbidden.requests).toHaveLength(1);
  });
});
