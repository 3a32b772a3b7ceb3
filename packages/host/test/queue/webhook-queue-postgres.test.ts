// Webhooks on the Postgres queue across processes: a served host (store and queue on a real
// PostgreSQL 18) verifies and enqueues; a separate worker process runs the route. Forged
// deliveries enqueue nothing, copies of one delivery run once, a failing route is retried
// with backoff. Real HTTP on 127.0.0.1, real child process, real route workers.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sharedTestPostgres, type TestPostgres } from "@backfill-io/test-postgres";
import { openHost, PostgresJobQueue, silentLogger, staticConnectorRegistry, type Host } from "../../src/index.js";
import { WEBHOOK_JOB_KEY_PREFIX, WEBHOOK_TASK } from "../../src/queue/webhook-jobs.js";
import { RouteRunner } from "../../src/runner/index.js";
import { startHostServer, type RunningServer } from "../../src/server/index.js";
import { DEMO_DIR } from "../runner/support.js";
import { postDemoWebhook, putWebhookSecret, signDemoWebhook } from "../server/signed-webhook.js";
import { createPagedConnection, perConnectionPages, queueManifest, startPagedProvider, type PagedProvider } from "./support.js";
import { BUILT_ROUTES, buildQueueFixture, spawnWorker, stopWorker, type WorkerProcess } from "./workers.js";

const WEBHOOK_SECRET = "whsec_canary_pgqueue_1b7c02d9e4";

let postgres: TestPostgres;
/** The test's own look into graphile-worker's tables. */
let inspect: pg.Pool;
let databaseUrl: string;
let dataDir: string;
let provider: PagedProvider;
let host: Host;
let runner: RouteRunner;
let queue: PostgresJobQueue;
let server: RunningServer;
let worker: WorkerProcess | undefined;
let connectionId: string;

beforeAll(async () => {
  buildQueueFixture();
  postgres = await sharedTestPostgres();
  databaseUrl = await postgres.createDatabase("webhook_queue");
  inspect = new pg.Pool({ connectionString: databaseUrl, max: 2 });
  inspect.on("error", () => undefined);
  dataDir = mkdtempSync(join(tmpdir(), "backfill-webhook-pg-"));
  // Connection 1's one page of one customer: the worker's schedule sweep syncs it, harmlessly.
  provider = await startPagedProvider(perConnectionPages(() => 1, 1));
  const connectors = staticConnectorRegistry([{ key: "demo", manifest: queueManifest(provider.port), routesDir: join(DEMO_DIR, "src", "api") }]);
  host = await openHost({ dataDir, databaseUrl, migrate: true, connectors, logger: silentLogger });
  runner = new RouteRunner({ routeTimeoutMs: 10_000 });
  queue = new PostgresJobQueue({ databaseUrl, logger: silentLogger });
  await queue.migrate();
  server = await startHostServer({ host, runner, port: 0, queue });
  connectionId = await createPagedConnection(host, provider.base, 1);
  await putWebhookSecret(host, connectionId, WEBHOOK_SECRET);
}, 120_000);

afterAll(async () => {
  if (worker && worker.child.exitCode === null) await stopWorker(worker);
  await server?.close();
  await queue?.close();
  await runner?.close();
  await host?.close();
  await provider?.close();
  await inspect?.end();
  // The embedded server stops when this test process exits (stopping it here raced a pool's last goodbye).
});

const body = (delivery: Record<string, unknown>) => new TextEncoder().encode(JSON.stringify(delivery));
const customer = (id: string, name: string) => ({ customer_id: id, display_name: name });

async function deliver(deliveryId: string, bytes: Uint8Array, signature = signDemoWebhook(bytes, WEBHOOK_SECRET)) {
  const { status, text } = await postDemoWebhook(server.url, connectionId, deliveryId, bytes, signature);
  expect(text).not.toContain(WEBHOOK_SECRET);
  return { status, body: JSON.parse(text) as Record<string, unknown> };
}

async function webhookJobsInQueue(): Promise<number> {
  const { rows } = await inspect.query<{ n: string }>(`select count(*) as n from graphile_worker.jobs where key like $1`, [`${WEBHOOK_JOB_KEY_PREFIX}%`]);
  return Number(rows[0]!.n);
}

async function customerNames(): Promise<string[]> {
  const rows = await host.store.records.list(connectionId, {});
  return rows
    .map((r) => ((r.payload ?? {}) as { display_name?: string }).display_name ?? "")
    .filter((n) => n.startsWith("wh-"))
    .sort();
}

const webhookJobsStarted = () => (worker?.out().match(new RegExp(` job ${WEBHOOK_TASK}\\n`, "g")) ?? []).length;

describe("webhooks on the Postgres queue, a worker in another process", () => {
  it("a forged signature is refused 401 by the server: nothing stored, nothing enqueued", async () => {
    const genuine = body({ customers: [customer("c1", "wh-Ada")] });
    expect((await deliver("p-1", body({ customers: [customer("c1", "wh-Eve")] }), signDemoWebhook(genuine, WEBHOOK_SECRET))).status).toBe(401);
    expect((await deliver("p-1", genuine, signDemoWebhook(genuine, "another-secret-entirely"))).status).toBe(401);
    expect(await webhookJobsInQueue()).toBe(0);
    expect(await host.store.webhookJobs.count()).toBe(0);
  }, 60_000);

  it("two copies of one delivery are answered 200 and become one job; the worker process runs the route once and its ingest lands", async () => {
    const bytes = body({ customers: [customer("c1", "wh-Ada")] });
    const copies = await Promise.all([deliver("p-1", bytes), deliver("p-1", bytes)]);
    expect(copies).toEqual([
      { status: 200, body: { ok: true, queued: true } },
      { status: 200, body: { ok: true, queued: true } },
    ]);
    expect(await webhookJobsInQueue()).toBe(1);
    expect(await host.store.webhookJobs.count()).toBe(1);
    // Only now a worker: the server ran none of the route's work.
    expect(await customerNames()).toEqual([]);
    worker = spawnWorker({ dataDir, databaseUrl, storeUrl: databaseUrl, manifest: queueManifest(provider.port), routesDir: BUILT_ROUTES });
    await worker.ready;
    await expect.poll(customerNames, { timeout: 120_000, interval: 200 }).toEqual(["wh-Ada"]);
    await expect.poll(() => host.store.webhookJobs.count(), { timeout: 30_000 }).toBe(0);
    await expect.poll(webhookJobsInQueue, { timeout: 30_000 }).toBe(0);
    expect(webhookJobsStarted()).toBe(1);
    // A redelivery after processing: the dedupe lookup in the request answers; nothing is enqueued.
    expect(await deliver("p-1", bytes)).toEqual({ status: 200, body: { ok: true, duplicate: true } });
    expect(await webhookJobsInQueue()).toBe(0);
  }, 180_000);

  it("a route that fails in the worker is retried by the queue with backoff; nothing of it is committed", async () => {
    const started = webhookJobsStarted();
    const res = await deliver("p-2", body({ customers: [customer("c2", "wh-Bob")], fail: true }));
    expect(res).toEqual({ status: 200, body: { ok: true, queued: true } });
    // A second attempt after graphile-worker's backoff (exp(1) s), by the worker process.
    await expect.poll(webhookJobsStarted, { timeout: 60_000, interval: 200 }).toBeGreaterThanOrEqual(started + 2);
    const { rows } = await inspect.query<{ attempts: number; run_at: Date; last_error: string | null }>(
      `select attempts, run_at, last_error from graphile_worker.jobs where key like $1`,
      [`${WEBHOOK_JOB_KEY_PREFIX}%`],
    );
    expect(rows).toHaveLength(1);
    expect(rows[0]!.attempts).toBeGreaterThanOrEqual(2);
    expect(rows[0]!.last_error).toContain("the webhook route failed");
    expect(await customerNames()).toEqual(["wh-Ada"]);
    expect(await host.store.webhookJobs.count()).toBe(1);
  }, 120_000);
});
