// A queue worker in its own process, as production runs it: plain node, the built host
// (dist/) and the fixture connector's built routes. The multi-worker tests start several and
// SIGKILL some. Usage: node child-worker.mjs <config JSON>
// Prints "<time> ready", "<time> job <task>" per job started, and "<time> slice <connectionId> <pages> <next|outcome>" per slice; SIGTERM stops it gracefully.
import pino from "pino";
import { createHostMetrics, openHost, PostgresJobQueue, RouteRunner, silentLogger, createHostLogger, startQueueWorker, staticConnectorRegistry } from "../../dist/index.js";

const config = JSON.parse(process.argv[2]);
const stamp = () => new Date().toISOString().slice(11, 23);
const connectors = staticConnectorRegistry([{ key: "demo", manifest: config.manifest, routesDir: config.routesDir }]);
// BACKFILL_TEST_DEBUG: warnings to stderr (the tests print a worker's output on teardown), or
// appended to the file BACKFILL_TEST_DEBUG names (readable while a test hangs).
const debug = process.env.BACKFILL_TEST_DEBUG;
const logger = !debug ? silentLogger : createHostLogger({ level: "debug", ...(debug.startsWith("/") ? { destination: pino.destination({ dest: debug, append: true, sync: true }) } : {}) });
// storeUrl: the store on Postgres too (else the SQLite file in dataDir, shared with the test).
const host = await openHost({ dataDir: config.dataDir, connectors, logger, ...(config.storeUrl ? { databaseUrl: config.storeUrl } : {}) });
// Every job this process starts is printed ("<time> job <task>"), so a test can count them.
const measured = createHostMetrics({ defaultMetrics: false });
const metrics = { ...measured, jobEvents: { ...measured.jobEvents, started: (task) => process.stdout.write(`${stamp()} job ${task}\n`) } };
const runner = new RouteRunner({ mode: "dist", routeTimeoutMs: 10_000, maxIdlePools: 64 });
const queue = new PostgresJobQueue({ databaseUrl: config.databaseUrl, logger: host.logger, leaseMs: config.leaseMs, pollIntervalMs: 200 });
const worker = await startQueueWorker({
  host,
  runner,
  queue,
  concurrency: config.concurrency,
  sweepMs: 500,
  metrics,
  sync: { intervalFor: () => 3_600_000, concurrencyPerConnection: 1 },
  onResult: (r) => process.stdout.write(`${stamp()} slice ${r.connectionId} ${r.pages} ${r.next ? r.next.kind : r.outcome}\n`),
});
process.stdout.write(`${stamp()} ready\n`);
process.once("SIGTERM", () => {
  void (async () => {
    await worker.stop(10_000);
    await queue.close();
    await runner.close();
    await host.close();
    process.stdout.write(`${stamp()} stopped\n`);
    process.exit(0);
  })();
});
