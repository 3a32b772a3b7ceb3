// Queue benchmarks: sync throughput with 1, 2 and 4 worker processes on the Postgres queue
// against one process on SQLite (the in-process queue) over the same pages; one incremental
// pass over many connections with 4 workers (wall time); the queue's overhead per job against
// a direct call. Workers run as production does: plain node, the built host and routes.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sharedTestPostgres } from "@backfill-io/test-postgres";
import { InProcessJobQueue, PostgresJobQueue, silentLogger, startQueueWorker, type JobQueue } from "../src/index.js";
import { RouteRunner } from "../src/runner/index.js";
import { openHost, staticConnectorRegistry } from "../src/index.js";
import { createPagedConnection, perConnectionPages, queueManifest, startPagedProvider, type PagedProvider } from "../test/queue/support.js";
import { BUILT_ROUTES, buildQueueFixture, spawnWorker, stopWorker } from "../test/queue/workers.js";

type Row = [string, string, string, string];
const fmt = (n: number, unit: string) => `${n < 10 ? n.toFixed(2) : Math.round(n).toLocaleString("en-US")} ${unit}`;

async function seededHost(provider: PagedProvider, connections: number) {
  const dataDir = mkdtempSync(join(tmpdir(), "backfill-bench-queue-"));
  const host = await openHost({
    dataDir,
    connectors: staticConnectorRegistry([{ key: "demo", manifest: queueManifest(provider.port), routesDir: BUILT_ROUTES }]),
    logger: silentLogger,
  });
  for (let n = 1; n <= connections; n++) await createPagedConnection(host, provider.base, n);
  return { host, dataDir };
}

async function waitForRuns(host: Awaited<ReturnType<typeof openHost>>, count: number): Promise<void> {
  for (;;) {
    const done = await host.store.db
      .selectFrom("sync_runs")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .where("status", "=", "succeeded")
      .executeTakeFirstOrThrow();
    if (Number(done.n) >= count) return;
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Records/s of one pass over `connections` × `pages` pages with `workers` Postgres worker processes (0: SQLite, in process). */
async function passThroughput(
  connections: number,
  pages: number,
  perPage: number,
  workers: number,
  seedCheckpoint = false,
): Promise<{ recordsPerSecond: number; seconds: number }> {
  const provider = await startPagedProvider(perConnectionPages(() => pages, perPage));
  const { host, dataDir } = await seededHost(provider, connections);
  // An incremental pass: every stream already at its last page (one page to read, nothing more).
  if (seedCheckpoint) for (let n = 1; n <= connections; n++) await host.store.checkpoints.put(`conn_${n}`, "customers", { page: pages });
  const expectedPages = seedCheckpoint ? connections : connections * pages;
  const started = performance.now();
  if (workers === 0) {
    const runner = new RouteRunner({ mode: "dist", routeTimeoutMs: 30_000, maxIdlePools: 64 });
    const worker = await startQueueWorker({
      host,
      runner,
      queue: new InProcessJobQueue(),
      concurrency: 2,
      sweepMs: 3_600_000,
      sync: { intervalFor: () => 3_600_000, concurrencyPerConnection: 1 },
    });
    await waitForRuns(host, connections);
    await worker.stop();
    await runner.close();
  } else {
    const pg = await sharedTestPostgres();
    const databaseUrl = await pg.createDatabase("bench");
    const procs = Array.from({ length: workers }, () =>
      spawnWorker({ dataDir, databaseUrl, manifest: queueManifest(provider.port), routesDir: BUILT_ROUTES, concurrency: 2, leaseMs: 30_000 }),
    );
    await Promise.all(procs.map((p) => p.ready));
    await waitForRuns(host, connections);
    await Promise.all(procs.map(stopWorker));
  }
  const seconds = (performance.now() - started) / 1000;
  await host.close();
  await provider.close();
  return { recordsPerSecond: (expectedPages * perPage) / seconds, seconds };
}

/** Per-job cost of a no-op job through a queue (added, taken, completed) against calling the handler. */
async function overheadPerJobMs(queue: JobQueue, jobs: number): Promise<number> {
  let done = 0;
  let finish: () => void = () => undefined;
  const all = new Promise<void>((resolve) => (finish = resolve));
  const started = performance.now();
  await queue.startWorking({ bench_noop: () => Promise.resolve(void (++done === jobs && finish())) }, { concurrency: 4 });
  for (let i = 0; i < jobs; i++) await queue.add({ task: "bench_noop", payload: { i } });
  await all;
  const ms = (performance.now() - started) / jobs;
  await queue.close();
  return ms;
}

export async function queueBench(rows: Row[]): Promise<void> {
  buildQueueFixture();
  const connections = Number(process.env.BENCH_QUEUE_CONNECTIONS ?? 24);
  const [pages, perPage] = [5, 50];
  const sqlite = await passThroughput(connections, pages, perPage, 0);
  for (const workers of [1, 2, 4]) {
    const pg = await passThroughput(connections, pages, perPage, workers);
    rows.push([
      `sync throughput, ${workers} worker process(es) on Postgres (${connections} connections × ${pages} pages × ${perPage})`,
      fmt(pg.recordsPerSecond, "records/s"),
      fmt(sqlite.recordsPerSecond, "records/s one process on SQLite"),
      fmt(pg.recordsPerSecond / sqlite.recordsPerSecond, "×"),
    ]);
  }
  const passConnections = Number(process.env.BENCH_QUEUE_PASS_CONNECTIONS ?? 1000);
  const pass = await passThroughput(passConnections, 3, 10, 4, true);
  rows.push([
    `one incremental pass over ${passConnections.toLocaleString("en-US")} connections, 4 workers`,
    fmt(pass.seconds, "s wall"),
    fmt((pass.seconds * 1000) / passConnections, "ms per connection"),
    "-",
  ]);

  // The baseline: awaiting the same no-op handler directly.
  const handler = () => Promise.resolve();
  const directStarted = performance.now();
  for (let i = 0; i < 100_000; i++) await handler();
  const direct = (performance.now() - directStarted) / 100_000;
  const pgUrl = await (await sharedTestPostgres()).createDatabase("bench_overhead");
  const pgMs = await overheadPerJobMs(new PostgresJobQueue({ databaseUrl: pgUrl, logger: silentLogger, pollIntervalMs: 100 }), 500);
  const memoryMs = await overheadPerJobMs(new InProcessJobQueue(), 5_000);
  rows.push([
    "queue overhead per job, Postgres (graphile-worker, add + run + complete)",
    fmt(pgMs * 1000, "µs/job"),
    fmt(direct * 1000, "µs direct call"),
    fmt(pgMs / direct, "×"),
  ]);
  rows.push(["queue overhead per job, in-process (SQLite hosts)", fmt(memoryMs * 1000, "µs/job"), fmt(direct * 1000, "µs direct call"), fmt(memoryMs / direct, "×")]);
  await (await sharedTestPostgres()).stop();
}
