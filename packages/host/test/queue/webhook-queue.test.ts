// Webhooks on the queue, one process on SQLite (the embedded in-process worker): the server
// runs the route only up to its signature check and dedupe lookup, stores the delivery
// sealed and answers 200; a worker runs the route. Real HTTP on 127.0.0.1, real route
// worker threads, real SQLite.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createHostMetrics, InProcessJobQueue, startQueueWorker, type JobSpec } from "../../src/index.js";
import { runWebhookJob, WEBHOOK_TASK } from "../../src/queue/webhook-jobs.js";
import type { HostMetrics } from "../../src/ops/metrics.js";
import type { TaskHandlers } from "../../src/queue/queue.js";
import { startHostServer, type RunningServer } from "../../src/server/index.js";
import { json, startServer, type TestServer } from "../runner/support.js";
import { openSyncHost, type SyncHost } from "../sync/support.js";
import { connectionWithWebhookSecret, postDemoWebhook, signDemoWebhook } from "../server/signed-webhook.js";

const WEBHOOK_SECRET = "whsec_canary_queue_5d2e81aa40";
/** Provider data in a delivery: must never be readable in the database files while it waits. */
const PAYLOAD_CANARY = "Canary-Customer-7f3b19e0";

/** A queue that records what was added and what ran, and can hold its jobs until released. */
class ObservedQueue extends InProcessJobQueue {
  readonly added: JobSpec[] = [];
  readonly ran: { task: string; attempt: number }[] = [];
  override add(spec: JobSpec): Promise<void> {
    this.added.push(spec);
    return super.add(spec);
  }
  override startWorking(handlers: TaskHandlers, opts: { concurrency: number }): Promise<void> {
    const observed: TaskHandlers = {};
    for (const [task, handler] of Object.entries(handlers)) {
      observed[task] = (payload, ctx) => {
        this.ran.push({ task, attempt: ctx.attempt });
        return handler(payload, ctx);
      };
    }
    return super.startWorking(observed, opts);
  }
  webhookRuns(): number[] {
    return this.ran.filter((r) => r.task === WEBHOOK_TASK).map((r) => r.attempt);
  }
}

let provider: TestServer;
let sh: SyncHost;

beforeAll(async () => {
  provider = await startServer((_req, res) => json(res, 404, {}));
  sh = await openSyncHost(provider.port);
});

afterAll(async () => {
  await sh.close();
  await provider.close();
  for (const file of ["backfill.db", "backfill.db-wal"]) {
    const bytes = (() => {
      try {
        return readFileSync(join(sh.dataDir, file));
      } catch {
        return Buffer.alloc(0);
      }
    })();
    expect(bytes.includes(WEBHOOK_SECRET)).toBe(false);
    expect(bytes.includes(PAYLOAD_CANARY)).toBe(false);
  }
});

async function served(queue: ObservedQueue, metrics?: HostMetrics): Promise<RunningServer> {
  return startHostServer({ host: sh.host, runner: sh.runner, port: 0, queue, ...(metrics ? { metrics } : {}) });
}

const connection = () => connectionWithWebhookSecret(sh.host, provider.base, WEBHOOK_SECRET);
const sign = (bytes: Uint8Array, secret = WEBHOOK_SECRET) => signDemoWebhook(bytes, secret);
const body = (delivery: Record<string, unknown>) => new TextEncoder().encode(JSON.stringify(delivery));
const customer = (id: string, name: string) => ({ customer_id: id, display_name: name });

async function deliver(server: RunningServer, connectionId: string, deliveryId: string, bytes: Uint8Array, signature = sign(bytes)) {
  const { status, text } = await postDemoWebhook(server.url, connectionId, deliveryId, bytes, signature);
  expect(text).not.toContain(WEBHOOK_SECRET);
  return { status, body: JSON.parse(text) as Record<string, unknown> };
}

/** A served host enqueuing on a fresh queue whose jobs wait until the test starts a worker on it. */
async function withServedQueue(test: (server: RunningServer, queue: ObservedQueue) => Promise<void>): Promise<void> {
  const queue = new ObservedQueue();
  const server = await served(queue);
  try {
    await test(server, queue);
  } finally {
    await server.close();
    await queue.close();
  }
}

async function names(connectionId: string): Promise<string[]> {
  const rows = await sh.host.store.records.list(connectionId, {});
  return rows.map((r) => ((r.payload ?? {}) as { display_name?: string }).display_name ?? "").sort();
}

const processedIds = async (connectionId: string) =>
  (await sh.host.store.db.selectFrom("webhook_deliveries").select("delivery_id").where("connection_id", "=", connectionId).execute()).map((r) => r.delivery_id);

const webhookHandlers = (metrics?: HostMetrics): TaskHandlers => ({
  [WEBHOOK_TASK]: (payload) => runWebhookJob({ host: sh.host, runner: sh.runner, ...(metrics ? { metrics } : {}) }, payload),
});

describe("webhooks on the in-process queue (SQLite)", () => {
  it("a signed delivery is answered 200 before its route's work runs; the embedded worker runs it and its ingest lands; the lag is recorded", async () => {
    const queue = new ObservedQueue();
    const metrics = createHostMetrics({ defaultMetrics: false });
    const worker = await startQueueWorker({ host: sh.host, runner: sh.runner, queue, concurrency: 2, sweepMs: 3_600_000, sync: { intervalFor: () => 3_600_000 }, metrics });
    const server = await served(queue, metrics);
    try {
      // Created after the worker's first sweep: no sync job for it, only the webhook's.
      const id = await connection();
      const res = await deliver(server, id, "q-1", body({ customers: [customer("c1", "Ada")] }));
      expect(res).toEqual({ status: 200, body: { ok: true, queued: true } });
      await expect.poll(() => names(id), { timeout: 20_000 }).toEqual(["Ada"]);
      expect(await processedIds(id)).toEqual(["demo:delivery:q-1"]);
      await expect.poll(() => sh.host.store.webhookJobs.count(id)).toBe(0);
      expect(queue.webhookRuns()).toEqual([1]);
      await expect
        .poll(async () => (await metrics.registry.getSingleMetricAsString("backfill_webhook_lag_seconds")).match(/backfill_webhook_lag_seconds_count (\d+)/)?.[1])
        .toBe("1");
    } finally {
      await server.close();
      await worker.stop();
    }
  }, 30_000);

  it("a forged signature is refused 401 in the request: nothing stored, nothing enqueued, the delivery id not burnt", async () => {
    await withServedQueue(async (server, queue) => {
      const id = await connection();
      const genuine = body({ customers: [customer("c1", "Ada")] });
      expect((await deliver(server, id, "f-1", body({ customers: [customer("c1", "Eve")] }), sign(genuine))).status).toBe(401);
      expect((await deliver(server, id, "f-1", genuine, sign(genuine, "another-secret-entirely"))).status).toBe(401);
      expect(queue.added).toEqual([]);
      expect(await sh.host.store.webhookJobs.count(id)).toBe(0);
      expect(await processedIds(id)).toEqual([]);
      // The genuine delivery with that id is still taken.
      expect((await deliver(server, id, "f-1", genuine)).body).toEqual({ ok: true, queued: true });
      expect(queue.added.filter((j) => j.task === WEBHOOK_TASK)).toHaveLength(1);
    });
  }, 30_000);

  it("copies of one delivery (two at once, before a worker runs) become one stored delivery and one job; a redelivery after it ran answers duplicate and enqueues nothing", async () => {
    await withServedQueue(async (server, queue) => {
      const id = await connection();
      const bytes = body({ customers: [customer("c1", "Ada")] });
      const copies = await Promise.all([deliver(server, id, "d-1", bytes), deliver(server, id, "d-1", bytes)]);
      expect(copies.map((c) => c.status)).toEqual([200, 200]);
      expect(await sh.host.store.webhookJobs.count(id)).toBe(1);
      // The worker starts only now: everything enqueued so far runs.
      await queue.startWorking(webhookHandlers(), { concurrency: 2 });
      await expect.poll(() => names(id), { timeout: 20_000 }).toEqual(["Ada"]);
      await expect.poll(() => sh.host.store.webhookJobs.count(id)).toBe(0);
      expect(queue.webhookRuns()).toEqual([1]);
      const added = queue.added.length;
      expect(await deliver(server, id, "d-1", bytes)).toEqual({ status: 200, body: { ok: true, duplicate: true } });
      expect(queue.added).toHaveLength(added);
      expect(queue.webhookRuns()).toEqual([1]);
    });
  }, 30_000);

  it("a route that fails in the worker is retried by the queue with backoff; nothing of it is committed, the delivery stays sealed at rest", async () => {
    await withServedQueue(async (server, queue) => {
      const id = await connection();
      const res = await deliver(server, id, "x-1", body({ customers: [customer("c1", PAYLOAD_CANARY)], fail: true }));
      expect(res).toEqual({ status: 200, body: { ok: true, queued: true } });
      await queue.startWorking(webhookHandlers(), { concurrency: 1 });
      // The second attempt comes after the queue's backoff (queueRetryDelayMs(1), about 2.7 s).
      await expect.poll(() => queue.webhookRuns(), { timeout: 20_000 }).toEqual([1, 2]);
      expect(await names(id)).toEqual([]);
      expect(await processedIds(id)).toEqual([]);
      expect(await sh.host.store.webhookJobs.count(id)).toBe(1);
      const [row] = await sh.host.store.db.selectFrom("webhook_jobs").select("request_enc").where("connection_id", "=", id).execute();
      expect(row!.request_enc).not.toContain(PAYLOAD_CANARY);
      expect(Buffer.from(row!.request_enc, "base64").includes(PAYLOAD_CANARY)).toBe(false);
    });
  }, 30_000);
});
