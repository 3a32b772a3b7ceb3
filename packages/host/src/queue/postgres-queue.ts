// The Postgres adapter: graphile-worker (LISTEN/NOTIFY wake-ups, job keys, serial named
// queues, run_at, retries with backoff) over one pg pool. A crashed worker's job would stay
// locked for graphile-worker's 4 hours; worker-leases.ts shortens that to the lease.
import pg from "pg";
import { Logger, makeWorkerUtils, run, type Job, type JobHelpers, type Runner, type Task, type WorkerUtils } from "graphile-worker";
import type { HostLogger } from "../app/logger.js";
import { BackfillError } from "@backfill-io/sdk";
import { QUEUE_INVALID_JOB, QUEUE_UNAVAILABLE, type ExistingKeys, type JobCounts, type JobEvents, type JobQueue, type JobSpec, type TaskHandlers } from "./queue.js";
import { startWorkerLeases, type WorkerLeases } from "./worker-leases.js";

export type PostgresJobQueueOptions = {
  databaseUrl: string;
  logger: HostLogger;
  /** graphile-worker's schema (default graphile_worker). */
  schema?: string;
  /** A job whose worker stopped heartbeating this long ago is unlocked for another worker. */
  leaseMs?: number;
  /** Poll fallback when a NOTIFY is missed (ms). */
  pollIntervalMs?: number;
  maxPoolSize?: number;
};

export const DEFAULT_LEASE_MS = 30_000;
/** The pause before a worker pool that stopped on its own is started again. */
const RUNNER_RESTART_DELAY_MS = 1000;

/** graphile-worker's own log lines through the host logger (info and debug at debug; never job payloads). */
function graphileLogger(logger: HostLogger): Logger {
  return new Logger(() => (level, message) => {
    // LogLevel is a const enum (unreachable here): compared by its string values.
    const name = String(level);
    if (name === "error") logger.error("queue", { message });
    else if (name === "warning") logger.warn("queue", { message });
    else logger.debug("queue", { message });
  });
}

export class PostgresJobQueue implements JobQueue {
  readonly kind = "postgres" as const;
  readonly schema: string;
  private readonly pool: pg.Pool;
  private utils: Promise<WorkerUtils> | undefined;
  private runner: Runner | undefined;
  private leases: WorkerLeases | undefined;
  private readonly abort = new AbortController();

  constructor(private readonly opts: PostgresJobQueueOptions) {
    this.schema = opts.schema ?? "graphile_worker";
    this.pool = new pg.Pool({ connectionString: opts.databaseUrl, max: opts.maxPoolSize ?? 10 });
    // An idle client's connection dropping (Postgres restarted) must not end the process; the pool reconnects.
    this.pool.on("error", (error) => opts.logger.warn("queue database connection lost", { error: error.message }));
    this.pool.on("connect", (client) => client.on("error", (error) => opts.logger.warn("queue database connection lost", { error: error.message })));
  }

  /** Installs or upgrades graphile-worker's schema (idempotent; also done by the first add or worker). */
  async migrate(): Promise<void> {
    const utils = await this.workerUtils();
    await utils.migrate();
  }

  async add(spec: JobSpec): Promise<void> {
    if (!spec.task) throw new BackfillError(QUEUE_INVALID_JOB, "a job needs a task name");
    const utils = await this.workerUtils();
    await utils.addJob(spec.task, spec.payload, {
      ...(spec.jobKey ? { jobKey: spec.jobKey, jobKeyMode: spec.jobKeyMode === "dedupe" ? "unsafe_dedupe" : "replace" } : {}),
      ...(spec.queueName ? { queueName: spec.queueName } : {}),
      ...(spec.runAt ? { runAt: spec.runAt } : {}),
      ...(spec.maxAttempts ? { maxAttempts: spec.maxAttempts } : {}),
      ...(spec.priority ? { priority: spec.priority } : {}),
    });
  }

  async existingKeys(prefix: string): Promise<ExistingKeys> {
    const { rows } = await this.pool.query<{ key: string; failed: boolean }>(
      `select key, (locked_at is null and attempts >= max_attempts) as failed from ${this.ident()}.jobs where key like $1 || '%'`,
      [prefix.replace(/[\\%_]/g, "\\$&")],
    );
    const keys: ExistingKeys = { active: new Set(), failed: new Set() };
    for (const row of rows) (row.failed ? keys.failed : keys.active).add(row.key);
    return keys;
  }

  async startWorking(handlers: TaskHandlers, opts: { concurrency: number; events?: JobEvents }): Promise<void> {
    await this.migrate();
    this.leases = startWorkerLeases({ pool: this.pool, schema: this.schema, leaseMs: this.opts.leaseMs ?? DEFAULT_LEASE_MS, logger: this.opts.logger });
    const taskList: Record<string, Task> = {};
    for (const [task, handler] of Object.entries(handlers)) {
      taskList[task] = async (payload: unknown, helpers: JobHelpers) => {
        const job: Job = helpers.job;
        const workerId = job.locked_by ?? "";
        await this.leases!.holding(workerId, async () => {
          opts.events?.started?.(task);
          try {
            await handler((payload ?? {}) as Record<string, unknown>, { jobId: job.id, attempt: job.attempts, signal: AbortSignal.any([helpers.abortSignal, this.abort.signal]) });
            opts.events?.finished?.(task, "succeeded");
          } catch (error) {
            opts.events?.finished?.(task, "failed");
            throw error;
          }
        });
      };
    }
    this.runOptions = { concurrency: Math.max(1, opts.concurrency), taskList };
    await this.startRunner();
  }

  private runOptions: { concurrency: number; taskList: Record<string, Task> } | undefined;

  /** Starts graphile-worker's pool; one that stops on its own (its database was gone too long) is started again. */
  private async startRunner(): Promise<void> {
    const runOptions = this.runOptions!;
    const runner = await run({
      pgPool: this.pool,
      schema: this.schema,
      concurrency: runOptions.concurrency,
      noHandleSignals: true,
      pollInterval: this.opts.pollIntervalMs ?? 2000,
      logger: graphileLogger(this.opts.logger),
      taskList: runOptions.taskList,
      // Batched completion retries a lost connection and, past its retries, shuts the pool down
      // (restarted below) instead of an unhandled rejection ending the process.
      preset: { worker: { completeJobBatchDelay: 0, failJobBatchDelay: 0 } },
    });
    this.runner = runner;
    // graphile-worker's runner *resolves* its promise when its worker pool exits with an error
    // (it logs "Runner stopping (reason: worker pool exited with error …)"): a Postgres restart
    // did that to every worker process at once, and none took a job again. So any end of a
    // runner this queue did not stop itself starts a new one.
    const ended = (error?: unknown) => this.runnerEnded(runner, error);
    runner.promise.then(() => ended(), ended);
  }

  /** The runner stopped on its own (its database went away): started again until it runs. */
  private runnerEnded(runner: Runner, error: unknown): void {
    if (this.runner !== runner) return; // stopWorking stopped it
    this.runner = undefined;
    this.opts.logger.warn("queue worker pool stopped; starting it again", { ...(error ? { error: (error as Error).message } : {}) });
    // Its jobs are released by the leases (this process's workers stopped heartbeating them).
    // The timer is not unref'd: while the database is down it may be all that keeps a worker process alive.
    const retry = () => {
      this.restartTimer = undefined;
      if (!this.runOptions || this.abort.signal.aborted || this.runner) return;
      this.startRunner().catch((failure: unknown) => {
        this.opts.logger.warn("queue worker pool could not start; trying again", { error: (failure as Error).message });
        this.restartTimer = setTimeout(retry, RUNNER_RESTART_DELAY_MS);
      });
    };
    this.restartTimer = setTimeout(retry, RUNNER_RESTART_DELAY_MS);
  }

  private restartTimer: NodeJS.Timeout | undefined;

  async stopWorking(graceMs = 30_000): Promise<void> {
    this.runOptions = undefined;
    clearTimeout(this.restartTimer);
    const runner = this.runner;
    this.runner = undefined;
    if (runner) {
      // Running jobs finish their page; past the grace they are aborted (and their jobs released).
      const grace = setTimeout(() => this.abort.abort(), graceMs);
      try {
        await runner.stop();
      } finally {
        clearTimeout(grace);
      }
    }
    await this.leases?.stop();
    this.leases = undefined;
  }

  async counts(): Promise<JobCounts> {
    const { rows } = await this.pool.query<{ queued: string; running: string; failed: string }>(
      `select count(*) filter (where locked_at is null and attempts < max_attempts) as queued,
              count(*) filter (where locked_at is not null) as running,
              count(*) filter (where locked_at is null and attempts >= max_attempts) as failed
         from ${this.ident()}.jobs`,
    );
    const row = rows[0]!;
    return { queued: Number(row.queued), running: Number(row.running), failed: Number(row.failed) };
  }

  async ping(): Promise<boolean> {
    try {
      await this.pool.query("select 1");
      return true;
    } catch {
      return false;
    }
  }

  async close(): Promise<void> {
    await this.stopWorking(0);
    const utils = await this.utils?.catch(() => undefined);
    await utils?.release();
    await this.pool.end();
  }

  private ident(): string {
    return `"${this.schema.replace(/"/g, '""')}"`;
  }

  private workerUtils(): Promise<WorkerUtils> {
    this.utils ??= makeWorkerUtils({ pgPool: this.pool, schema: this.schema, logger: graphileLogger(this.opts.logger) }).catch((error: unknown) => {
      this.utils = undefined;
      throw new BackfillError(QUEUE_UNAVAILABLE, `the queue database is unreachable: ${(error as Error).message}`);
    });
    return this.utils;
  }
}
