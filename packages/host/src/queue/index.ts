export { QueueError, QUEUE_UNAVAILABLE, QUEUE_INVALID_JOB, type JobQueue, type JobSpec, type QueueErrorCode } from "./queue.js";
export { InProcessJobQueue } from "./in-process-queue.js";
export { PostgresJobQueue } from "./postgres-queue.js";
export { SYNC_SLICE_TASK, syncJobKey } from "./sync-jobs.js";
export { startQueueWorker, type QueueWorker, type QueueWorkerOptions } from "./worker.js";
export { WEBHOOK_TASK, WEBHOOK_JOB_KEY_PREFIX, WEBHOOK_MAX_ATTEMPTS, WebhookRouteFailed, enqueueWebhookDelivery, runWebhookJob, webhookJobId, type QueuedWebhookRequest, type WebhookDelivery, type WebhookJobDeps } from "./webhook-jobs.js";
