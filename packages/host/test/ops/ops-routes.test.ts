// Operator endpoints. Attacks: /metrics without a key, with a made-up or revoked key (401,
// nothing served); /metrics never names a connection or a provider URL (labels are
// connector keys and task names); /readyz says "down" for a queue that does not answer
// (a real refused connection), without the database URL or its password in the answer.
import { createServer } from "node:net";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import {
  createApiKey,
  createHostMetrics,
  InProcessJobQueue,
  openHost,
  opsRoutes,
  PostgresJobQueue,
  revokeApiKey,
  silentLogger,
  staticConnectorRegistry,
  startQueueWorker,
  type Host,
} from "../../src/index.js";
import { RouteRunner } from "../../src/runner/index.js";
import { DEMO_DIR } from "../runner/support.js";
import { createPagedConnection, perConnectionPages, queueManifest, startPagedProvider, type PagedProvider } from "../queue/support.js";

let host: Host;
let provider: PagedProvider;
let runner: RouteRunner;

beforeAll(async () => {
  provider = await startPagedProvider(perConnectionPages(() => 2, 2));
  host = await openHost({
    dataDir: mkdtempSync(join(tmpdir(), "backfill-ops-")),
    connectors: staticConnectorRegistry([{ key: "demo", manifest: queueManifest(provider.port), routesDir: join(DEMO_DIR, "src", "api") }]),
    logger: silentLogger,
  });
  runner = new RouteRunner({ routeTimeoutMs: 10_000 });
});

afterAll(async () => {
  await runner.close();
  await host.close();
  await provider.close();
});

/** A port nothing listens on (taken, then released). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

it("/metrics needs a live host API key; what it serves names no connection and no secret", async () => {
  const metrics = createHostMetrics({ defaultMetrics: false });
  const queue = new InProcessJobQueue();
  const app = opsRoutes({ store: host.store, queue, metrics });
  const id = await createPagedConnection(host, provider.base, 7);
  let done = false;
  const worker = await startQueueWorker({
    host,
    runner,
    queue,
    concurrency: 1,
    sweepMs: 3_600_000,
    metrics,
    sync: { intervalFor: () => 3_600_000 },
    onResult: (r) => (done ||= !r.next),
  });
  await expect.poll(() => done, { timeout: 90_000 }).toBe(true);
  await worker.stop();

  expect((await app.request("/metrics")).status).toBe(401);
  expect((await app.request("/metrics", { headers: { authorization: "Bearer bfk_made_up_key" } })).status).toBe(401);
  const { key, id: keyId } = await createApiKey(host.store, "prometheus");
  const ok = await app.request("/metrics", { headers: { authorization: `Bearer ${key}` } });
  expect(ok.status).toBe(200);
  const body = await ok.text();
  expect(body).toMatch(/backfill_sync_pages_total\{connector="demo"\} 2/);
  expect(body).toMatch(/backfill_sync_records_total\{connector="demo"\} 4/);
  expect(body).toMatch(/backfill_jobs_finished_total\{task="backfill_sync_slice",outcome="succeeded"\} 2/);
  expect(body).toMatch(/backfill_jobs\{state="queued"\} 2/); // the next pass and the next refresh-due
  expect(body).not.toContain(id);
  expect(body).not.toContain(provider.base);

  await revokeApiKey(host.store, keyId);
  const revoked = await app.request("/metrics", { headers: { authorization: `Bearer ${key}` } });
  expect(revoked.status).toBe(401);
  expect(await revoked.text()).not.toContain("backfill_");
}, 120_000);

it("/healthz answers anonymously; /readyz is 503 not_ready when the queue's Postgres refuses, without its URL", async () => {
  const password = "canary-pg-password-51d2";
  const databaseUrl = `postgres://backfill:${password}@127.0.0.1:${await closedPort()}/backfill`;
  const queue = new PostgresJobQueue({ databaseUrl, logger: silentLogger });
  try {
    const app = opsRoutes({ store: host.store, queue });
    expect(await (await app.request("/healthz")).json()).toEqual({ ok: true });
    const res = await app.request("/readyz");
    expect(res.status).toBe(503);
    const text = await res.text();
    expect(JSON.parse(text)).toMatchObject({ error: { code: "not_ready" }, checks: { store: "ok", queue: "down" } });
    expect(text).not.toContain(password);
    expect(text).not.toContain("127.0.0.1");
    const ready = await opsRoutes({ store: host.store, queue: new InProcessJobQueue() }).request("/readyz");
    expect(await ready.json()).toEqual({ ready: true, checks: { store: "ok", queue: "ok" } });
  } finally {
    await queue.close();
  }
});
