// Worker processes sharing one Postgres queue (real embedded PostgreSQL, real child processes,
// real route worker threads, the store on one SQLite file beside them): every stream synced
// once per schedule with exact record sets; workers SIGKILLed mid-page lose and duplicate
// nothing; Postgres restarted mid-sync, the workers reconnect and finish. No timing assertions.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sharedTestPostgres, type TestPostgres } from "@backfill-io/test-postgres";
import { json } from "../runner/support.js";
import {
  createPagedConnection,
  expectedKeys,
  openQueueHost,
  queueManifest,
  perConnectionPages,
  startPagedProvider,
  storedKeys,
  type PagedProvider,
  type QueueHost,
} from "./support.js";
import { BUILT_ROUTES, buildQueueFixture, spawnWorker, stopWorker, type WorkerProcess } from "./workers.js";

let pg: TestPostgres;

beforeAll(async () => {
  buildQueueFixture();
  pg = await sharedTestPostgres();
}, 120_000);

afterAll(async () => {
  await pg.stop();
});

type Setup = { provider: PagedProvider; qh: QueueHost; databaseUrl: string; connections: string[] };

async function setup(count: number, pagesOf: (n: number) => number, perPage: number, responseDelayMs = 0): Promise<Setup> {
  const page = perConnectionPages(pagesOf, perPage);
  const provider = await startPagedProvider(page, (n, p, res) => {
    if (!responseDelayMs) return false;
    setTimeout(() => json(res, 200, page(n, p)), responseDelayMs);
    return true;
  });
  // The parent opens (and migrates) the store first; the workers open the same files.
  const qh = await openQueueHost(provider.port, mkdtempSync(join(tmpdir(), "backfill-queue-mw-")));
  const connections: string[] = [];
  for (let n = 1; n <= count; n++) connections.push(await createPagedConnection(qh.host, provider.base, n));
  return { provider, qh, databaseUrl: await pg.createDatabase("queue"), connections };
}

function workerConfig(s: Setup, leaseMs = 1000) {
  return { dataDir: s.qh.dataDir, databaseUrl: s.databaseUrl, manifest: queueManifest(s.provider.port), routesDir: BUILT_ROUTES, concurrency: 2, leaseMs };
}

async function succeededConnections(qh: QueueHost): Promise<number> {
  const rows = await qh.host.store.db.selectFrom("sync_runs").select("connection_id").where("status", "=", "succeeded").distinct().execute();
  return rows.length;
}

async function expectExact(s: Setup, pagesOf: (n: number) => number, perPage: number): Promise<void> {
  for (const [i, id] of s.connections.entries()) expect(await storedKeys(s.qh.host, id)).toEqual(expectedKeys(i + 1, pagesOf(i + 1), perPage));
}

async function teardown(s: Setup, workers: WorkerProcess[]): Promise<void> {
  if (process.env.BACKFILL_TEST_DEBUG) for (const w of workers) console.log(w.out().slice(-3000));
  await Promise.all(workers.map((w) => (w.child.exitCode === null && w.child.signalCode === null ? stopWorker(w) : w.exited)));
  await s.qh.close();
  await s.provider.close();
}

describe("worker processes on one Postgres queue", () => {
  it("4 workers, 200 connections: every stream synced once per schedule, each page fetched once, exact record sets", async () => {
    const pagesOf = (n: number) => (n % 4 === 0 ? 2 : 1);
    const s = await setup(Number(process.env.QN ?? 200), pagesOf, 3);
    // No kills here: a production-like lease, so a worker stalled on the shared SQLite file keeps its jobs.
    const workers = Array.from({ length: 4 }, () => spawnWorker(workerConfig(s, 30_000)));
    try {
      await Promise.all(workers.map((w) => w.ready));
      // CPU-bound (each connection's first page in a process starts its route worker): generous on 2 shared cores.
      await expect.poll(() => succeededConnections(s.qh), { timeout: 900_000, interval: 1000 }).toBe(s.connections.length);
      await expectExact(s, pagesOf, 3);
      // Once per schedule: one run per stream, and every page served exactly once.
      const runs = await s.qh.host.store.syncRuns.list({ limit: 10_000 });
      expect(runs).toHaveLength(200);
      expect(runs.every((r) => r.status === "succeeded")).toBe(true);
      expect([...s.provider.served.values()].every((times) => times === 1)).toBe(true);
      expect(s.provider.served.size).toBe(s.connections.reduce((sum, _id, i) => sum + pagesOf(i + 1), 0));
      // The work was shared.
      expect(workers.filter((w) => w.out().includes("slice ")).length).toBeGreaterThan(1);
      // SIGTERM: a graceful stop.
      const stopped = await Promise.all(workers.map(stopWorker));
      expect(stopped.map((e) => e.code)).toEqual([0, 0, 0, 0]);
      expect(await s.qh.host.store.syncRuns.list({ limit: 10_000 })).toHaveLength(200);
    } finally {
      await teardown(s, workers);
    }
  }, 1_000_000);

  it("SIGKILL of a worker mid-page, 5 times at random points: another worker retries after the lease, exact record sets", async () => {
    const pagesOf = () => 40;
    // Slow pages, so a kill lands mid-page (a request in flight, nothing of it committed).
    const s = await setup(6, pagesOf, 4, 300);
    const config = workerConfig(s, 1000);
    const workers = Array.from({ length: 3 }, () => spawnWorker(config));
    const all = [...workers];
    const requests = () => [...s.provider.served.values()].reduce((a, b) => a + b, 0);
    try {
      await Promise.all(workers.map((w) => w.ready));
      for (let kill = 0; kill < 5; kill++) {
        // A random point: after 3..10 more page requests (the victim is busy: every worker has pages in flight).
        const target = requests() + 3 + Math.floor(Math.random() * 8);
        await expect.poll(requests, { timeout: 120_000, interval: 50 }).toBeGreaterThanOrEqual(target);
        const victim = workers.splice(Math.floor(Math.random() * workers.length), 1)[0]!;
        victim.child.kill("SIGKILL");
        expect((await victim.exited).signal).toBe("SIGKILL");
        const replacement = spawnWorker(config);
        workers.push(replacement);
        all.push(replacement);
      }
      // The kills landed while work was left.
      expect(await succeededConnections(s.qh)).toBeLessThan(s.connections.length);
      await expect.poll(() => succeededConnections(s.qh), { timeout: 400_000, interval: 1000 }).toBe(s.connections.length);
      await expectExact(s, pagesOf, 4);
      // Every page fetched at least once; one killed mid-page is fetched again (after the lease), never committed twice.
      expect(s.provider.served.size).toBe(6 * 40);
    } finally {
      await teardown(s, all);
    }
  }, 600_000);

  // Once failed with 0 of 6 connections in 300 s: graphile-worker resolves its runner's promise when
  // the pool dies, so the queue never started a new pool; when both processes' pools died, nothing ran.
  it("Postgres restarted mid-sync: the workers reconnect and finish, exact record sets", async () => {
    if (!pg.embedded) return; // a developer's own server is not ours to restart
    const pagesOf = () => 10;
    const s = await setup(6, pagesOf, 3, 100);
    const workers = Array.from({ length: 2 }, () => spawnWorker(workerConfig(s, 2000)));
    try {
      await Promise.all(workers.map((w) => w.ready));
      await expect.poll(() => [...s.provider.served.values()].reduce((a, b) => a + b, 0), { timeout: 120_000, interval: 50 }).toBeGreaterThanOrEqual(8);
      await pg.restart();
      await expect.poll(() => succeededConnections(s.qh), { timeout: 300_000, interval: 1000 }).toBe(s.connections.length);
      await expectExact(s, pagesOf, 3);
      expect(workers.every((w) => w.child.exitCode === null)).toBe(true);
    } finally {
      await teardown(s, workers);
    }
  }, 480_000);
});
