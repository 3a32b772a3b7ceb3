import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RouteRunner } from "../../src/runner/index.js";
import { DEMO_DIR, fakeServices } from "./support.js";

let runner: RouteRunner;
const services = fakeServices(1);

beforeAll(() => {
  runner = new RouteRunner({ routeTimeoutMs: 1_500, callTimeoutMs: 300, memoryLimitMb: 96, maxWorkersPerConnector: 1 });
});
afterAll(() => runner.close());

const misbehave = (mode: string, timeoutMs?: number, waitMs?: number) =>
  runner.runRoute({
    connectorDir: DEMO_DIR,
    services,
    route: "/misbehave",
    input: { rawBody: JSON.stringify({ mode, waitMs }) },
    ...(timeoutMs ? { routeTimeoutMs: timeoutMs } : {}),
  });

type Check = { leaked: unknown; poisoned: boolean; threadId: number };

/** Runs `check` (after waiting `waitMs` inside the route); asserts it ran clean and staged nothing. */
const healthy = async (waitMs?: number): Promise<Check> => {
  const r = await misbehave("check", undefined, waitMs);
  expect(r.outcome).toBe("ok");
  expect(r.staged.records).toEqual([]);
  return JSON.parse(r.bodyText) as Check;
};

describe("route isolation and limits", () => {
  it("terminates a route past its deadline and replaces the worker", async () => {
    const started = Date.now();
    const r = await misbehave("spin");
    expect(r).toMatchObject({ outcome: "timeout", status: 504 });
    expect(Date.now() - started).toBeLessThan(5_000);
    await healthy();
  });

  it("stops a route that exceeds its memory limit", async () => {
    const r = await misbehave("hog", 15_000);
    expect(r.outcome).toBe("memory_limit");
    expect(r.status).toBe(500);
    await healthy();
  });

  it("survives a route that exits or throws outside its handler", async () => {
    // process.exit is refused (process_control_denied) and the worker replaced.
    expect((await misbehave("exit")).outcome).toBe("error");
    await healthy();
    expect((await misbehave("throw-async")).outcome).toBe("crashed");
    await healthy();
  });

  it("removes globals a route leaked before the next invocation", async () => {
    expect((await misbehave("leak")).outcome).toBe("ok");
    expect(await healthy()).toMatchObject({ leaked: null });
  });

  it("puts back a global a route replaced, and replaces a worker left with a global it cannot remove", async () => {
    expect((await misbehave("replace-global")).outcome).toBe("ok");
    expect(await healthy()).toMatchObject({ leaked: null, poisoned: false });
    const pinning = await misbehave("pin-global");
    expect(pinning.outcome).toBe("ok");
    const { threadId: pinnedIn } = JSON.parse(pinning.bodyText) as Check;
    const after = await healthy();
    expect(after).toMatchObject({ leaked: null, poisoned: false });
    expect(after.threadId).not.toBe(pinnedIn);
  });

  it("reuses a clean worker, and replaces one whose route left an interval calling the SDK", async () => {
    const { threadId } = await healthy();
    expect((await healthy()).threadId).toBe(threadId);
    const leaving = await misbehave("leave-interval");
    expect(leaving.outcome).toBe("ok");
    const { threadId: leftBy } = JSON.parse(leaving.bodyText) as Check;
    // The next route runs long enough for the interval to fire many times, had it survived.
    expect((await healthy(100)).threadId).not.toBe(leftBy);
  });

  it("replaces a worker that loaded a route module whose top-level code started a timer", async () => {
    const { threadId } = await healthy();
    // Describing (reading config) loads the module in a pool of its own; running it, in the connection's.
    expect(await runner.describe({ connectorDir: DEMO_DIR }, services.manifest.version, "/timer-at-load")).toMatchObject({ config: { auth: "public" } });
    const ran = await runner.runRoute({ connectorDir: DEMO_DIR, services, route: "/timer-at-load" });
    expect(ran.outcome).toBe("ok");
    expect((await healthy()).threadId).not.toBe(threadId);
  });

  it("refuses SDK calls from a timer of a finished route instead of answering them for the next one", async () => {
    expect((await misbehave("leave-unref-timer")).outcome).toBe("ok");
    // The timer fires while this invocation waits; its ingest must not land in this page.
    await healthy(100);
  });

  it("times out one SDK call and never hands its late reply to the next call", async () => {
    let calls = 0;
    const slow = fakeServices(1, {
      accessToken: async () => {
        calls++;
        if (calls === 1) {
          await new Promise((r) => setTimeout(r, 500));
          return "slow-token-that-is-thirty-long";
        }
        return "fast-token";
      },
    });
    const r = await runner.runRoute({ connectorDir: DEMO_DIR, services: slow, route: "/probe", input: { rawBody: JSON.stringify({ action: "late" }) } });
    expect(JSON.parse(r.bodyText)).toEqual({ ok: true, first: "timeout", second: "fast-token".length });
  });
});

describe("tenant isolation", () => {
  it("runs each connection in its own workers and closes idle pools beyond the cap", async () => {
    const small = new RouteRunner({ maxWorkersPerConnector: 1, maxIdlePools: 2 });
    try {
      const check = async (connectionId: string) => {
        const r = await small.runRoute({
          connectorDir: DEMO_DIR,
          services: { ...fakeServices(1), connectionId },
          route: "/misbehave",
          input: { rawBody: JSON.stringify({ mode: "check" }) },
        });
        expect(r.outcome).toBe("ok");
        return (JSON.parse(r.bodyText) as Check).threadId;
      };
      const a = await check("conn_a");
      expect(await check("conn_a")).toBe(a); // a connection reuses its worker
      const b = await check("conn_b");
      expect(b).not.toBe(a); // another merchant never shares it
      await check("conn_c");
      // conn_a was least recently used and idle: its pool is gone, a new worker serves it.
      expect(small.poolCount).toBe(2);
      expect(await check("conn_a")).not.toBe(a);
    } finally {
      await small.close();
    }
  });
});
