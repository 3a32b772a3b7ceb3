// The in-process adapter: the same JobQueue semantics (job keys, serial named queues,
// run-at, attempts with backoff) in memory, for one host on SQLite. Jobs do not survive a
// restart, and need not: every sync resumes from its committed checkpoint and the schedule
// sweep enqueues again what is due.
import { BackfillError } from "@backfill-io/sdk";
import { QUEUE_INVALID_JOB, type ExistingKeys, type JobCounts, type JobEvents, type JobQueue, type JobSpec, type TaskHandlers } from "./queue.js";

type QueuedJob = { id: string; spec: JobSpec; runAt: number; attempts: number; maxAttempts: number; running: boolean; failed: boolean; key: string | undefined };

const DEFAULT_MAX_ATTEMPTS = 25;

/** graphile-worker's retry delay, so both adapters back off alike: exp(min(attempts, 10)) seconds. */
export function queueRetryDelayMs(attempts: number): number {
  return Math.exp(Math.min(attempts, 10)) * 1000;
}

export class InProcessJobQueue implements JobQueue {
  readonly kind = "in-process" as const;
  private readonly jobs = new Map<string, QueuedJob>();
  private readonly byKey = new Map<string, QueuedJob>();
  private readonly busyQueues = new Set<string>();
  private readonly running = new Map<string, { promise: Promise<void>; controller: AbortController }>();
  private handlers: TaskHandlers | undefined;
  private events: JobEvents | undefined;
  private concurrency = 0;
  private timer: NodeJS.Timeout | undefined;
  private nextId = 1;

  constructor(private readonly now: () => number = Date.now) {}

  add(spec: JobSpec): Promise<void> {
    if (!spec.task) return Promise.reject(new BackfillError(QUEUE_INVALID_JOB, "a job needs a task name"));
    const runAt = spec.runAt?.getTime() ?? this.now();
    const existing = spec.jobKey ? this.byKey.get(spec.jobKey) : undefined;
    if (existing && (spec.jobKeyMode ?? "replace") === "dedupe") return Promise.resolve();
    if (existing && !existing.running) {
      Object.assign(existing, { spec, runAt, attempts: 0, failed: false, maxAttempts: spec.maxAttempts ?? DEFAULT_MAX_ATTEMPTS });
    } else {
      if (existing) {
        // Running: it finishes, is not retried, and the new job takes the key.
        existing.key = undefined;
        existing.maxAttempts = existing.attempts + 1;
      }
      const job: QueuedJob = {
        id: String(this.nextId++),
        spec,
        runAt,
        attempts: 0,
        maxAttempts: spec.maxAttempts ?? DEFAULT_MAX_ATTEMPTS,
        running: false,
        failed: false,
        key: spec.jobKey,
      };
      this.jobs.set(job.id, job);
      if (job.key) this.byKey.set(job.key, job);
    }
    this.pump();
    return Promise.resolve();
  }

  existingKeys(prefix: string): Promise<ExistingKeys> {
    const keys: ExistingKeys = { active: new Set(), failed: new Set() };
    for (const [key, job] of this.byKey) if (key.startsWith(prefix)) (job.failed ? keys.failed : keys.active).add(key);
    return Promise.resolve(keys);
  }

  startWorking(handlers: TaskHandlers, opts: { concurrency: number; events?: JobEvents }): Promise<void> {
    this.handlers = handlers;
    this.events = opts.events;
    this.concurrency = Math.max(1, opts.concurrency);
    this.pump();
    return Promise.resolve();
  }

  async stopWorking(graceMs = 30_000): Promise<void> {
    this.handlers = undefined;
    clearTimeout(this.timer);
    const all = Promise.all([...this.running.values()].map((r) => r.promise));
    const grace = setTimeout(() => this.running.forEach((r) => r.controller.abort()), graceMs);
    await all;
    clearTimeout(grace);
  }

  counts(): Promise<JobCounts> {
    let queued = 0;
    let failed = 0;
    for (const job of this.jobs.values()) {
      if (job.failed) failed++;
      else if (!job.running) queued++;
    }
    return Promise.resolve({ queued, running: this.running.size, failed });
  }

  ping(): Promise<boolean> {
    return Promise.resolve(true);
  }

  async close(): Promise<void> {
    await this.stopWorking(0);
  }

  /** Starts what is due, and wakes up for the next job that is not. */
  private pump(): void {
    if (!this.handlers) return;
    clearTimeout(this.timer);
    const now = this.now();
    let nextAt = Infinity;
    const waiting = [...this.jobs.values()].filter((j) => !j.running && !j.failed).sort((a, b) => (a.spec.priority ?? 0) - (b.spec.priority ?? 0) || a.runAt - b.runAt);
    for (const job of waiting) {
      if (this.running.size >= this.concurrency) break;
      if (job.spec.queueName && this.busyQueues.has(job.spec.queueName)) continue;
      if (job.runAt > now) {
        nextAt = Math.min(nextAt, job.runAt);
        continue;
      }
      this.run(job);
    }
    if (nextAt !== Infinity) {
      this.timer = setTimeout(() => this.pump(), Math.min(nextAt - now, 2 ** 31 - 1));
      this.timer.unref();
    }
  }

  private run(job: QueuedJob): void {
    const handler = this.handlers?.[job.spec.task];
    job.running = true;
    job.attempts++;
    if (job.spec.queueName) this.busyQueues.add(job.spec.queueName);
    const controller = new AbortController();
    this.events?.started?.(job.spec.task);
    const promise = (async () => {
      try {
        if (!handler) throw new BackfillError(QUEUE_INVALID_JOB, `no handler for task ${job.spec.task}`);
        await handler(job.spec.payload, { jobId: job.id, attempt: job.attempts, signal: controller.signal });
        this.jobs.delete(job.id);
        if (job.key && this.byKey.get(job.key) === job) this.byKey.delete(job.key);
        this.events?.finished?.(job.spec.task, "succeeded");
      } catch {
        this.events?.finished?.(job.spec.task, "failed");
        if (job.attempts >= job.maxAttempts) {
          // Kept, with its key, as graphile-worker keeps them (counted as failed; a replace revives it).
          job.failed = true;
        } else {
          job.runAt = this.now() + queueRetryDelayMs(job.attempts);
        }
      } finally {
        job.running = false;
        if (job.spec.queueName) this.busyQueues.delete(job.spec.queueName);
        this.running.delete(job.id);
        this.pump();
      }
    })();
    this.running.set(job.id, { promise, controller });
  }
}
