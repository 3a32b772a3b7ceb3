// The host's periodic work as queue jobs, each under one job key (one at a time over every
// worker): token refresh-due (TokenManager.refreshDue, so rotating refresh tokens never
// lapse) and the auth-webhook outbox (the deliverer's deliverDue).
import type { Host } from "../app/open-host.js";
import type { AuthWebhookDeliverer } from "../events/auth-webhooks.js";
import type { HostMetrics } from "../ops/metrics.js";
import type { JobQueue } from "./queue.js";

export const REFRESH_DUE_TASK = "backfill_refresh_due";
export const AUTH_WEBHOOKS_TASK = "backfill_auth_webhooks";

export type MaintenanceOptions = {
  /** Refresh tokens whose refresh token lapses within this (default 7 days), */
  refreshWithinMs?: number;
  /** every this often (default 1 hour). */
  refreshEveryMs?: number;
  /** The auth-webhook outbox is read this often (default 1 s) when a deliverer is configured. */
  authWebhooksEveryMs?: number;
};

export async function refreshDueJob(host: Host, metrics: HostMetrics | undefined, withinMs: number): Promise<void> {
  for (const outcome of await host.tokens.refreshDue({ withinMs })) {
    metrics?.tokenRefresh(outcome.ok);
    if (!outcome.ok) host.logger.warn("refresh-due failed", { connectionId: outcome.connectionId, code: outcome.code });
  }
}

export async function authWebhooksJob(deliverer: AuthWebhookDeliverer): Promise<void> {
  await deliverer.deliverDue();
}

/** Enqueues the maintenance jobs when due (job keys: a second process's call adds nothing). */
export async function enqueueMaintenance(queue: JobQueue, now: number, opts: MaintenanceOptions & { authWebhooks: boolean }): Promise<void> {
  await queue.add({ task: REFRESH_DUE_TASK, payload: {}, jobKey: REFRESH_DUE_TASK, jobKeyMode: "dedupe", runAt: new Date(now), maxAttempts: 3 });
  if (opts.authWebhooks) await queue.add({ task: AUTH_WEBHOOKS_TASK, payload: {}, jobKey: AUTH_WEBHOOKS_TASK, jobKeyMode: "dedupe", runAt: new Date(now), maxAttempts: 3 });
}
