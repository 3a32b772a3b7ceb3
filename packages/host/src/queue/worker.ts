// A queue worker: the task handlers over an opened host and a route runner, a schedule sweep
// (every active connection's streams have a job), and the maintenance jobs. `backfill worker`
// runs one per process against Postgres; `backfill serve` on SQLite runs one in-process.
import type { Host } from "../app/open-host.js";
import { startAuthWebhookDeliverer, type AuthWebhookConfig } from "../events/auth-webhooks.js";
import type { HostMetrics } from "../ops/metrics.js";
import type { RouteRunner } from "../runner/runner.js";
import { syncEngineForHost } from "../app/sync-engine.js";
import type { SyncResult } from "../sync/sync.js";
import { AUTH_WEBHOOKS_TASK, REFRESH_DUE_TASK, authWebhooksJob, enqueueMaintenance, refreshDueJob, type MaintenanceOptions } from "./maintenance-jobs.js";
import type { JobQueue, TaskHandlers } from "./queue.js";
import { SYNC_SLICE_TASK, SyncJobs, type SyncJobOptions } from "./sync-jobs.js";
import { runWebhookJob, WEBHOOK_TASK } from "./webhook-jobs.js";

export type QueueWorkerOptions = {
  host: Host;
  runner: RouteRunner;
  queue: JobQueue;
  /** Jobs this process runs at once. */
  concurrency: number;
  sync: SyncJobOptions;
  maintenance?: MaintenanceOptions;
  /** Auth events are POSTed by whichever worker takes the outbox job. */
  authWebhook?: AuthWebhookConfig & { backoffBaseMs?: number };
  /** How often this process checks that every stream has a job (default 30 s). */
  sweepMs?: number;
  metrics?: HostMetrics;
  onResult?: (result: SyncResult) => void;
};

export type QueueWorker = {
  readonly sync: SyncJobs;
  /** Runs the schedule sweep now (the timer does too). */
  sweep(): Promise<void>;
  /** Graceful: stops taking jobs, lets running slices finish their page (aborted past `graceMs`). */
  stop(graceMs?: number): Promise<void>;
};

export async function startQueueWorker(opts: QueueWorkerOptions): Promise<QueueWorker> {
  const { host, queue } = opts;
  const engine = syncEngineForHost(host, opts.runner);
  const sync = new SyncJobs(
    {
      store: host.store,
      connectors: host.connectors,
      engine,
      queue,
      logger: host.logger,
      ...(opts.metrics ? { metrics: opts.metrics } : {}),
      ...(opts.onResult ? { onResult: opts.onResult } : {}),
    },
    opts.sync,
  );
  const maintenance = opts.maintenance ?? {};
  const deliverer = opts.authWebhook
    ? startAuthWebhookDeliverer({
        store: host.store,
        config: opts.authWebhook,
        logger: host.logger,
        pollMs: 2 ** 31 - 1,
        ...(opts.authWebhook.backoffBaseMs ? { backoffBaseMs: opts.authWebhook.backoffBaseMs } : {}),
      })
    : undefined;
  const again = (task: string, everyMs: number) =>
    queue.add({ task, payload: {}, jobKey: task, jobKeyMode: "replace", runAt: new Date(host.store.now() + everyMs), maxAttempts: 3 });

  const handlers: TaskHandlers = {
    [SYNC_SLICE_TASK]: (payload, ctx) => sync.run(payload, ctx),
    [WEBHOOK_TASK]: (payload) => runWebhookJob({ host, runner: opts.runner, ...(opts.metrics ? { metrics: opts.metrics } : {}) }, payload),
    [REFRESH_DUE_TASK]: async () => {
      await refreshDueJob(host, opts.metrics, maintenance.refreshWithinMs ?? 7 * 86_400_000);
      await again(REFRESH_DUE_TASK, maintenance.refreshEveryMs ?? 3_600_000);
    },
    [AUTH_WEBHOOKS_TASK]: async () => {
      if (deliverer) await authWebhooksJob(deliverer);
      await again(AUTH_WEBHOOKS_TASK, maintenance.authWebhooksEveryMs ?? 1000);
    },
  };

  const sweep = async () => {
    await sync.scheduleDue();
    await enqueueMaintenance(queue, host.store.now(), { ...maintenance, authWebhooks: !!deliverer });
  };
  let sweeping: Promise<void> | undefined;
  const timer = setInterval(() => {
    sweeping ??= sweep()
      .catch((error: unknown) => host.logger.warn("schedule sweep failed", { error: (error as Error).message }))
      .finally(() => (sweeping = undefined));
  }, opts.sweepMs ?? 30_000);
  timer.unref();

  opts.metrics?.setQueueCounts(() => queue.counts());
  await queue.startWorking(handlers, { concurrency: opts.concurrency, ...(opts.metrics ? { events: opts.metrics.jobEvents } : {}) });
  await sweep();
  return {
    sync,
    sweep,
    async stop(graceMs) {
      clearInterval(timer);
      await sweeping;
      await queue.stopWorking(graceMs);
      await deliverer?.stop();
    },
  };
}
