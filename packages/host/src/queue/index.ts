export { QUEUE_UNAVAILABLE, QUEUE_INVALID_JOB, type JobQueue, type JobSpec, type QueueErrorCode } from "./queue.js";
export { InProcessJobQueue } from "./in-process-queue.js";
export { PostgresJobQueue } from "./postgres-queue.js";
export { SYNC_SLICE_TASK, syncJobKey } from "./sync-jobs.js";
export { startQueueWorker, type QueueWorker, type QueueWorkerOptions } from "./worker.js";
