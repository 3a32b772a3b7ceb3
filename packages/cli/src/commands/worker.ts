// backfill worker: runs queue jobs (sync slices, token refresh-due, auth-webhook deliveries)
// from the Postgres queue. Run any number, on any machines, against one Postgres. SIGTERM or
// SIGINT stops it gracefully: it takes no new job, and the running slices finish their page
// (past --grace they are aborted and released for another worker, from the committed checkpoint).
import type { Command } from "commander";
import { createHostMetrics, startOpsServer, startQueueWorker, type OpsServer } from "@backfill-io/host";
import type { CliContext } from "../context.js";
import { parseDuration } from "../duration.js";
import { CliError } from "../errors.js";
import { DATABASE_URL_REQUIRED } from "../error-codes.js";
import { concurrency, databaseUrl, DATABASE_URL_ENV, openJobQueue, wholeNumber } from "../job-queue.js";
import { port, syncInterval } from "../option-values.js";
import { authWebhookConfig, untilShutdown } from "./serve-shared.js";

export type WorkerOptions = {
  concurrency: number;
  interval: string;
  pagesPerJob: number;
  perConnection: number;
  grace: string;
  metricsPort?: number;
  authWebhookUrl?: string;
  authWebhookSecretFile?: string;
  isolate?: boolean;
};

export function registerWorker(program: Command, ctx: CliContext): void {
  program
    .command("worker")
    .description("run queue jobs (syncs, token refreshes, auth webhooks) from Postgres; run as many as you like")
    .option("--concurrency <n>", "jobs this process runs at once", concurrency, 4)
    .option("--interval <duration>", "how often each stream of each active connection is synced (jittered): 1m (the minimum), 15m, 1h", "15m")
    .option("--pages-per-job <n>", "pages one job syncs before it hands the stream back to the queue", wholeNumber("pages-per-job", 1000), 1)
    .option("--per-connection <n>", "at most this many jobs of one connection run at once, over every worker", wholeNumber("per-connection", 64), 2)
    .option("--grace <duration>", "on SIGTERM, how long running pages may take before they are aborted and released", "30s")
    .option("--metrics-port <port>", "serve /healthz, /readyz and /metrics (host API key) on 127.0.0.1:<port>", port)
    .option("--auth-webhook-url <url>", "POST signed auth events here (secret from BACKFILL_AUTH_WEBHOOK_SECRET)")
    .option("--auth-webhook-secret-file <path>", "read the auth webhook signing secret from this file instead")
    .option("--isolate", "run every connector's routes in permission-restricted child processes")
    .addHelpText(
      "after",
      `
Every worker needs the same master key (BACKFILL_MASTER_KEY or <data dir>/master.key), the
same connectors installed, and the same database. backfill serve enqueues; workers run.

Examples:
  $ BACKFILL_DATABASE_URL=postgres://backfill@db:5432/backfill backfill worker
  $ backfill worker --database-url postgres://backfill@db:5432/backfill --concurrency 8
  $ backfill worker --metrics-port 9464   # curl -H "Authorization: Bearer $KEY" 127.0.0.1:9464/metrics`,
    )
    .action(async (opts: WorkerOptions) => {
      const url = databaseUrl(ctx.databaseUrl());
      if (!url)
        throw new CliError(
          DATABASE_URL_REQUIRED,
          "backfill worker needs the Postgres the queue lives in",
          `pass --database-url postgres://… or set ${DATABASE_URL_ENV} (with SQLite, backfill serve runs the jobs itself)`,
        );
      const intervalMs = syncInterval(opts.interval);
      const graceMs = parseDuration(opts.grace);
      const authWebhook = authWebhookConfig(opts.authWebhookUrl, opts.authWebhookSecretFile);
      const runner = ctx.serviceRouteRunner(opts);
      const host = await ctx.openHost();
      const queue = openJobQueue(url, host.logger);
      const metrics = createHostMetrics();
      const worker = await startQueueWorker({
        host,
        runner,
        queue,
        concurrency: opts.concurrency,
        metrics,
        ...(authWebhook ? { authWebhook } : {}),
        sync: { intervalFor: () => intervalMs, pagesPerJob: opts.pagesPerJob, concurrencyPerConnection: opts.perConnection },
        onResult: (r) => {
          if (!r.next) ctx.io.stderr(`${new Date().toISOString()} ${r.connectionId} ${r.stream}: ${r.outcome}${r.error ? ` (${r.error})` : ""}\n`);
        },
      });
      let ops: OpsServer | undefined;
      if (opts.metricsPort !== undefined) ops = await startOpsServer({ store: host.store, queue, metrics, port: opts.metricsPort });
      const shutdown = untilShutdown();
      ctx.io.stdout(`backfill worker running ${opts.concurrency} jobs at once from the Postgres queue${ops ? `; health and metrics on ${ops.url}` : ""}; Ctrl-C to stop\n`);
      const signal = await shutdown;
      ctx.io.stderr(`${signal}: finishing the running pages\n`);
      await worker.stop(graceMs);
      await ops?.close();
      await queue.close();
      ctx.io.stderr("stopped\n");
    });
}
