// Production mode: the host as built (dist/) runs a connector's built routes
// (<connector>/dist/src/api/*.js) in workers under plain Node: no tsx, no `source`
// condition, so the route's SDK import resolves to the SDK's built package.
import { existsSync, rmSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RouteRunner } from "../../src/runner/index.js";
import { buildConnector } from "./build-connector.js";
import { DEMO_DIR, customerPages, fakeServices, json, startServer, type TestServer } from "./support.js";

type RunnerModule = typeof import("../../src/runner/index.js");
/** What the misbehave route's check mode reports. */
type Check = { leaked: unknown; poisoned: boolean; threadId: number };

const BUILT_RUNNER = fileURLToPath(new URL("../../dist/runner/index.js", import.meta.url));

let server: TestServer;
let runner: RouteRunner;
let built: RunnerModule;

beforeAll(async () => {
  if (!existsSync(BUILT_RUNNER)) throw new Error("packages/host/dist is missing: `turbo run test` builds it first, or run `npx tsc -p tsconfig.build.json`");
  rmSync(join(DEMO_DIR, "dist"), { recursive: true, force: true });
  buildConnector(join(DEMO_DIR, "src"), join(DEMO_DIR, "dist", "src"));
  built = (await import(pathToFileURL(BUILT_RUNNER).href)) as RunnerModule;
  runner = new built.RouteRunner({ routeTimeoutMs: 10_000 });
  const pages = customerPages(1, 2);
  server = await startServer((_req, res) => json(res, 200, pages(1)));
});

afterAll(async () => {
  await runner.close();
  await server.close();
  rmSync(join(DEMO_DIR, "dist"), { recursive: true, force: true });
});

describe("route runner from built packages", () => {
  it("loads the built route and the built SDK", async () => {
    expect(runner.mode).toBe("dist");
    const result = await runner.runRoute({ connectorDir: DEMO_DIR, services: fakeServices(server.port), route: "/runtime" });
    expect(result.outcome).toBe("ok");
    const loaded = JSON.parse(result.bodyText) as { route: string; sdk: string };
    expect(loaded.route).toBe(pathToFileURL(join(DEMO_DIR, "dist", "src", "api", "runtime.js")).href);
    expect(loaded.sdk).toMatch(/\/sdk\/dist\/index\.js$/);
  });

  it("runs a sync page with real HTTP and stages its records and checkpoint", async () => {
    const result = await runner.runRoute({ connectorDir: DEMO_DIR, services: fakeServices(server.port), route: "/sync/customers" });
    expect(result).toMatchObject({ outcome: "ok", status: 200 });
    expect(result.staged.records.map((r) => r.idempotencyKey)).toEqual(["customer:c1", "customer:c2"]);
    expect(result.staged.checkpoints).toEqual([{ stream: "customers", state: { page: 1 }, hasMore: false }]);
  });

  it("runs page after page in the same worker (its bridge port's close is not mistaken for a leaked handle)", async () => {
    const services = { ...fakeServices(server.port), connectionId: "conn_pages" };
    const before = runner.workersStarted;
    for (let page = 0; page < 5; page++) {
      expect((await runner.runRoute({ connectorDir: DEMO_DIR, services, route: "/sync/customers" })).outcome).toBe("ok");
    }
    expect(runner.workersStarted - before).toBe(1);
  });

  it("with a spare worker, a third connection's first page runs in a worker started before it, that no route ran in", async () => {
    const spare = new built.RouteRunner({ spareWorker: true });
    try {
      const check = async (connectionId: string) => {
        const r = await spare.runRoute({
          connectorDir: DEMO_DIR,
          services: { ...fakeServices(1), connectionId },
          route: "/misbehave",
          input: { rawBody: JSON.stringify({ mode: "check" }) },
        });
        expect(r.outcome).toBe("ok");
        return JSON.parse(r.bodyText) as Check;
      };
      const a = await check("conn_a");
      // The second connection starts the spare (thread ids grow with each worker started)...
      const b = await check("conn_b");
      // ...which the third one takes: a worker started before conn_b's own, new to routes.
      const c = await check("conn_c");
      expect(c.threadId).toBeLessThan(b.threadId);
      expect(c.threadId).toBeGreaterThan(a.threadId);
      expect(c).toMatchObject({ leaked: null, poisoned: false });
      expect(await check("conn_c")).toMatchObject({ threadId: c.threadId });
    } finally {
      await spare.close();
    }
  });
});
