// The job queue the host's background work runs on. Two adapters share this interface:
// PostgresJobQueue (graphile-worker: any number of worker processes on any machines) and
// InProcessJobQueue (one process with SQLite: the demo and single-machine use).
export type JobPayload = Record<string, unknown>;

/**
 * `replace`: a waiting job with the key is replaced (a running one keeps running; the new job
 * waits in its queue). `dedupe`: nothing happens when a job with the key exists, even running.
 */
export type JobKeyMode = "replace" | "dedupe";

export type JobSpec = {
  task: string;
  payload: JobPayload;
  /** At most one job per key exists (see JobKeyMode). */
  jobKey?: string;
  jobKeyMode?: JobKeyMode;
  /** Jobs of one named queue run one at a time, across every worker. */
  queueName?: string;
  runAt?: Date;
  /** Lower runs sooner among due jobs (default 0). */
  priority?: number;
  /** Attempts before the job is marked failed (the queue's own retries, for errors a handler throws). */
  maxAttempts?: number;
};

export type JobContext = { jobId: string; attempt: number; signal: AbortSignal };

export type TaskHandler = (payload: JobPayload, ctx: JobContext) => Promise<void>;
export type TaskHandlers = Record<string, TaskHandler>;

export type ExistingKeys = { active: Set<string>; failed: Set<string> };

export type JobCounts = { queued: number; running: number; failed: number };

/** What a worker reports as it runs jobs (metrics listen to it). */
export type JobEvents = {
  started?(task: string): void;
  finished?(task: string, outcome: "succeeded" | "failed"): void;
};

export type QueueKind = "postgres" | "in-process";

export interface JobQueue {
  readonly kind: QueueKind;
  add(spec: JobSpec): Promise<void>;
  /** Keys starting with `prefix` of the jobs waiting or running (`active`), or that ran out of attempts (`failed`). */
  existingKeys(prefix: string): Promise<ExistingKeys>;
  /** Starts running jobs with `handlers`, at most `concurrency` at once in this process. */
  startWorking(handlers: TaskHandlers, opts: { concurrency: number; events?: JobEvents }): Promise<void>;
  /** Stops taking jobs; running ones finish (or, past `graceMs`, are aborted and released for another worker). */
  stopWorking(graceMs?: number): Promise<void>;
  counts(): Promise<JobCounts>;
  /** True when the queue's backing service answers. */
  ping(): Promise<boolean>;
  close(): Promise<void>;
}

export const QUEUE_UNAVAILABLE = "queue_unavailable";
export const QUEUE_INVALID_JOB = "queue_invalid_job";
export type QueueErrorCode = typeof QUEUE_UNAVAILABLE | typeof QUEUE_INVALID_JOB;
