// Per-stream schedules: the connection's override (set over the JSON API by the operator)
// before the manifest's streams[].schedule before the host default; bad input is refused
// with schedule_invalid and writes nothing. Real HTTP on 127.0.0.1, real SQLite.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { InProcessJobQueue, openHost, silentLogger, staticConnectorRegistry, type Host } from "../../src/index.js";
import { SyncJobs } from "../../src/queue/sync-jobs.js";
import { RouteRunner } from "../../src/runner/index.js";
import { createApiKey } from "../../src/server/api-keys.js";
import { startHostServer, type RunningServer } from "../../src/server/index.js";
import { syncEngineForHost } from "../../src/app/sync-engine.js";
import { DEMO_DIR } from "../runner/support.js";
import { createPagedConnection, queueManifest } from "./support.js";

const HOUR = 3_600_000;
let host: Host;
let runner: RouteRunner;
let server: RunningServer;
let apiKey: string;

beforeAll(async () => {
  const manifest = queueManifest(9);
  manifest.streams = manifest.streams.map((s) => ({ ...s, schedule: { every: "2h" } }));
  const connectors = staticConnectorRegistry([{ key: "demo", manifest, routesDir: join(DEMO_DIR, "src", "api") }]);
  host = await openHost({ dataDir: mkdtempSync(join(tmpdir(), "backfill-schedules-")), connectors, logger: silentLogger });
  runner = new RouteRunner({ routeTimeoutMs: 10_000 });
  server = await startHostServer({ host, runner, port: 0, defaultIntervalMs: HOUR });
  apiKey = (await createApiKey(host.store, "operator")).key;
});

afterAll(async () => {
  await server.close();
  await runner.close();
  await host.close();
});

const put = (connectionId: string, stream: string, body: unknown, key: string | null = apiKey) =>
  fetch(`${server.url}/api/connections/${connectionId}/streams/${stream}/schedule`, {
    method: "PUT",
    headers: { "content-type": "application/json", ...(key ? { authorization: `Bearer ${key}` } : {}) },
    body: JSON.stringify(body),
  });

it("the interval is the connection's override, else the manifest's schedule, else the default; only the operator may set it", async () => {
  const id = await createPagedConnection(host, "http://127.0.0.1:9", 1);
  const jobs = new SyncJobs(
    { store: host.store, connectors: host.connectors, engine: syncEngineForHost(host, runner), queue: new InProcessJobQueue(), logger: silentLogger },
    { intervalFor: () => HOUR },
  );
  const connection = (await host.store.connections.get(id))!;
  expect(await jobs.passInterval(connection, "customers")).toBe(2 * HOUR);

  // Anonymous, or bad input: refused, nothing written.
  expect((await put(id, "customers", { every: "15m" }, null)).status).toBe(401);
  for (const every of ["15", "30s", "0m", "1w", 15, "15m; drop table"]) {
    const res = await put(id, "customers", { every });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe("schedule_invalid");
  }
  expect((await put(id, "orders", { every: "15m" })).status).toBe(404);
  expect(await host.store.schedules.ofConnection(id)).toEqual(new Map());

  expect((await put(id, "customers", { every: "15m" })).status).toBe(200);
  expect(await jobs.passInterval(connection, "customers")).toBe(15 * 60_000);
  const listed = await fetch(`${server.url}/api/connections/${id}/schedules`, { headers: { authorization: `Bearer ${apiKey}` } });
  expect(await listed.json()).toEqual({ schedules: [{ stream: "customers", everyMs: 15 * 60_000, source: "connection" }] });
  // The next pass is scheduled with it, up to 10% early.
  const next = (await jobs.nextPassAt(connection, "customers", 0)).getTime();
  expect(next).toBeGreaterThanOrEqual(0.9 * 15 * 60_000);
  expect(next).toBeLessThanOrEqual(15 * 60_000);

  expect((await put(id, "customers", { every: null })).status).toBe(200);
  expect(await jobs.passInterval(connection, "customers")).toBe(2 * HOUR);
}, 60_000);
