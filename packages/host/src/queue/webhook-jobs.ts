// Webhook processing on the queue. The server runs a webhook route only as far as its
// signature check and dedupe lookup (Webhooks.alreadyProcessed), stores the verified
// delivery sealed (it holds provider data) and enqueues one job per delivery; a worker runs
// the route over the stored bytes and commits its writes. Copies of one delivery share one
// row and one job (both keyed by the connection and the delivery's dedupe ids).
import { BackfillError } from "@backfill-io/sdk";
import { createHash } from "node:crypto";
import type { Host } from "../app/open-host.js";
import { hostConnectionServices } from "../app/runner-services.js";
import { columnAad } from "../store/encrypted-columns.js";
import type { HostMetrics } from "../ops/metrics.js";
import type { RouteRunner } from "../runner/runner.js";
import { commitStaged } from "../sync/commit.js";
import { QUEUE_INVALID_JOB, type JobPayload, type JobQueue } from "./queue.js";

export const WEBHOOK_TASK = "backfill_webhook_delivery";
export const WEBHOOK_JOB_KEY_PREFIX = "webhook:";
/** The queue's own retries of a delivery whose route failed (5xx, timeout, crash), with its backoff. */
export const WEBHOOK_MAX_ATTEMPTS = 10;

/** What the worker needs to run the route again exactly as received. */
export type QueuedWebhookRequest = { headers: Record<string, string>; query: Record<string, string>; rawBodyBase64: string };

export type WebhookDelivery = { connectionId: string; route: string; method: string; deliveryIds: readonly string[]; request: QueuedWebhookRequest };

/** One id per (connection, delivery): the row's id and the job key's tail. */
export function webhookJobId(connectionId: string, deliveryIds: readonly string[]): string {
  const hash = createHash("sha256").update(connectionId).update("\u0000");
  for (const id of [...deliveryIds].sort()) hash.update(id).update("\u0000");
  return hash.digest("hex").slice(0, 40);
}

/** Stores the verified delivery (sealed) and enqueues its job; a copy already waiting adds nothing. */
export async function enqueueWebhookDelivery(host: Host, queue: JobQueue, delivery: WebhookDelivery): Promise<string> {
  const id = webhookJobId(delivery.connectionId, delivery.deliveryIds);
  const requestEnc = host.vault.encrypt(JSON.stringify(delivery.request), columnAad("webhook_jobs.request_enc", { id }));
  await host.store.webhookJobs.insert({ id, connection_id: delivery.connectionId, route: delivery.route, method: delivery.method, request_enc: requestEnc });
  await queue.add({ task: WEBHOOK_TASK, payload: { webhookJobId: id }, jobKey: `${WEBHOOK_JOB_KEY_PREFIX}${id}`, jobKeyMode: "dedupe", maxAttempts: WEBHOOK_MAX_ATTEMPTS });
  return id;
}

export type WebhookJobDeps = { host: Host; runner: RouteRunner; metrics?: HostMetrics };

/** A webhook route failure worth the queue's retry (the provider already has its 200: only we can try again). */
export const WEBHOOK_ROUTE_FAILED = "webhook_route_failed";

function webhookRouteFailed(status: number, outcome: string): BackfillError<typeof WEBHOOK_ROUTE_FAILED> {
  return new BackfillError(WEBHOOK_ROUTE_FAILED, `the webhook route failed (${outcome}, status ${status}); retried with backoff`, { status, outcome });
}

/**
 * The job: runs the route over the stored request and commits its writes. A 5xx, timeout or
 * crash throws (the queue retries with backoff, the row stays); a 2xx commits and deletes the
 * row; a 4xx (the delivery no longer fits, e.g. too old by now) is dropped with a warning,
 * since retrying cannot change the answer.
 */
export async function runWebhookJob(deps: WebhookJobDeps, payload: JobPayload): Promise<void> {
  const { host, runner } = deps;
  const id = payload.webhookJobId;
  if (typeof id !== "string") throw new BackfillError(QUEUE_INVALID_JOB, "a webhook job needs webhookJobId");
  const row = await host.store.webhookJobs.get(id);
  // Processed (and deleted) by an earlier copy of this job, or its connection is gone.
  if (!row) return;
  const request = JSON.parse(host.vault.decrypt(row.request_enc, columnAad("webhook_jobs.request_enc", { id }))) as QueuedWebhookRequest;
  const resolved = await hostConnectionServices(host, row.connection_id);
  const result = await runner.runRoute({
    routesDir: resolved.routesDir,
    services: resolved.services,
    route: row.route,
    method: row.method,
    input: { query: request.query, headers: request.headers, rawBodyBytes: new Uint8Array(Buffer.from(request.rawBodyBase64, "base64")) },
  });
  const ok = result.outcome === "ok" && result.status >= 200 && result.status < 300;
  if (!ok && (result.outcome !== "ok" || result.status >= 500)) throw webhookRouteFailed(result.status, result.outcome);
  if (ok) await commitStaged(host.store, row.connection_id, result.staged, { defaultStream: row.route });
  else host.logger.warn("queued webhook refused by its route; dropped", { connectionId: row.connection_id, route: row.route, status: result.status });
  await host.store.webhookJobs.delete(id);
  deps.metrics?.webhookLag(Math.max(0, host.store.now() - row.received_at) / 1000);
}
