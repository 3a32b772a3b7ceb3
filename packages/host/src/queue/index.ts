export { QueueError, QUEUE_UNAVAILABLE, QUEUE_INVALID_JOB, type JobQueue, type JobSpec, type JobKeyMode, type JobPayload, type JobContext, type JobCounts, type JobEvents, type ExistingKeys, type TaskHandler, type TaskHandlers, type QueueKind, type QueueErrorCode } from "./queue.js";
export { InProcessJobQueue, queueRetryDelayMs } from "./in-process-queue.js";
export { PostgresJobQueue, DEFAULT_LEASE_MS, type PostgresJobQueueOptions } from "./postgres-queue.js";
export { startWorkerLeases, HEARTBEATS_TABLE, type WorkerLeases } from "./worker-leases.js";
export { SyncJobs, SYNC_SLICE_TASK, SYNC_JOB_KEY_PREFIX, syncJobKey, syncQueueName, syncCapScope, type SyncJobOptions, type SyncJobPayload, type SyncJobDeps } from "./sync-jobs.js";
export { REFRESH_DUE_TASK, AUTH_WEBHOOKS_TASK, type MaintenanceOptions } from "./maintenance-jobs.js";
export { startQueueWorker, type QueueWorker, type QueueWorkerOptions } from "./worker.js";
export { WEBHOOK_TASK, WEBHOOK_JOB_KEY_PREFIX, WEBHOOK_MAX_ATTEMPTS, WebhookRouteFailed, enqueueWebhookDelivery, runWebhookJob, webhookJobId, type QueuedWebhookRequest, type WebhookDelivery, type WebhookJobDeps } from "./webhook-jobs.js";
