// Hostile routes in trusted mode (worker threads, the default). Trusted connectors are
// reviewed code with the host's privileges, so file, child-process and network access
// succeed by design (README "Trust model"); what the host still enforces: an empty
// environment, no signalling or exiting the host process, and a memory cap that counts Buffers.
import { describe, expect, it } from "vitest";
import { RouteRunner } from "../../src/runner/index.js";
import { attack, CANARY_ENV_VALUE, errorCode, hostileBed, served } from "./hostile-support.js";

const MEMORY_LIMIT_MB = 64;
const bed = hostileBed(() => new RouteRunner({ routeTimeoutMs: 10_000, memoryLimitMb: MEMORY_LIMIT_MB, maxWorkersPerConnector: 1 }));

describe("trusted mode: what the host enforces", () => {
  it("gives route workers an empty environment", async () => {
    const r = await attack(bed.runner, bed.services, { mode: "env" });
    expect(r.outcome).toBe("ok");
    expect(JSON.parse(r.bodyText)).toEqual({ env: {} });
    expect(r.bodyText).not.toContain(CANARY_ENV_VALUE);
  });

  it.each(["kill-host", "kill-parent", "abort", "exit", "really-exit", "dlopen"])("refuses %s with process_control_denied and replaces the worker", async (mode) => {
    const before = await served(bed.runner, bed.services);
    const r = await attack(bed.runner, bed.services, { mode });
    expect(r).toMatchObject({ outcome: "error", status: 500 });
    expect(errorCode(r)).toBe("process_control_denied");
    expect(bed.signalsReceived).toBe(0);
    const after = await served(bed.runner, bed.services);
    expect(after.pid).toBe(process.pid); // the host process is still the one serving routes
    expect(after.threadId).not.toBe(before.threadId);
  });

  it("stops a route holding Buffers past the memory limit and replaces the worker", async () => {
    const before = await served(bed.runner, bed.services);
    const r = await attack(bed.runner, bed.services, { mode: "buffers", megabytes: 2 * MEMORY_LIMIT_MB });
    expect(r).toMatchObject({ outcome: "memory_limit", status: 500 });
    expect(errorCode(r)).toBe("route_memory_limit");
    expect((await served(bed.runner, bed.services)).threadId).not.toBe(before.threadId);
  });
});

describe("trusted mode: what it allows by design (documented)", () => {
  it("lets a route read and open the host's files, spawn processes and call hosts its manifest does not list", async () => {
    const read = await attack(bed.runner, bed.services, { mode: "read-file", path: bed.data.masterKey });
    expect(JSON.parse(read.bodyText)).toMatchObject({ bytes: expect.any(Number) as number });
    expect((await attack(bed.runner, bed.services, { mode: "read-file", path: bed.data.database })).outcome).toBe("ok");
    expect(JSON.parse((await attack(bed.runner, bed.services, { mode: "open-db", path: bed.data.database })).bodyText)).toEqual({ opened: true });
    expect(JSON.parse((await attack(bed.runner, bed.services, { mode: "child-process" })).bodyText)).toEqual({ output: "spawned" });
    // fetch() bypasses the SDK's Http (and so the manifest's permissions.http): only isolated mode's network rules stop it.
    expect(JSON.parse((await attack(bed.runner, bed.services, { mode: "fetch", url: bed.forbidden.base })).bodyText)).toEqual({ status: 200 });
    expect(bed.forbidden.requests).toHaveLength(1);
  });
});
