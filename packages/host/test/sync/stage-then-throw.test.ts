// A page whose route stages records and a checkpoint (batched: they reach the host with the
// route's answer) and then throws: nothing of it is committed, and the run fails.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { openHost, silentLogger, staticConnectorRegistry, type Host } from "../../src/index.js";
import { RouteRunner } from "../../src/runner/index.js";
import { syncEngineForHost } from "../../src/sync/index.js";
import { DEMO_DIR, demoManifest } from "../runner/support.js";
import { createDemoConnection } from "./support.js";

let host: Host;
let runner: RouteRunner;

beforeAll(async () => {
  const demo = demoManifest(1);
  const manifest = { ...demo, streams: [{ name: "customers", route: "/sync/stage-then-throw", entity: "customer" as const }] };
  host = await openHost({
    dataDir: mkdtempSync(join(tmpdir(), "backfill-throw-")),
    connectors: staticConnectorRegistry([{ key: "demo", manifest, routesDir: join(DEMO_DIR, "src", "api") }]),
    logger: silentLogger,
  });
  runner = new RouteRunner({ routeTimeoutMs: 10_000 });
});

afterAll(async () => {
  await runner.close();
  await host.close();
});

it("commits no record and no checkpoint of a page whose route threw after staging them", async () => {
  const id = await createDemoConnection(host, "http://127.0.0.1:1");
  const result = await syncEngineForHost(host, runner).sync(id, "customers", { maxAttempts: 1 });
  expect(result.outcome).toBe("failed");
  expect(result.pages).toBe(0);
  expect(await host.store.records.list(id, { limit: 10 })).toEqual([]);
  expect(await host.store.checkpoints.get(id, "customers")).toBeUndefined();
});
