// Delivers the auth event outbox to the operator's backend: POST <url> with the event as
// the body, signed with HMAC-SHA256 (Stripe's scheme: the signature covers
// "<timestamp>.<body>", so a captured request cannot be replayed with a new timestamp),
// retried with exponential backoff, every attempt recorded in auth_webhook_deliveries.
import { createHmac } from "node:crypto";
import { redact, registerSecret } from "@backfill-io/sdk";
import type { AuthWebhookDeliveryRow } from "../store/schema.js";
import type { Store } from "../store/store.js";
import type { HostLogger } from "../app/logger.js";

export const AUTH_WEBHOOK_SIGNATURE_HEADER = "x-backfill-signature";
export const AUTH_WEBHOOK_TIMESTAMP_HEADER = "x-backfill-timestamp";
export const AUTH_WEBHOOK_EVENT_ID_HEADER = "x-backfill-event-id";
/** Where `serve` reads the signing secret from (never a command-line value). */
export const AUTH_WEBHOOK_SECRET_ENV = "BACKFILL_AUTH_WEBHOOK_SECRET";

export const AUTH_WEBHOOK_MAX_ATTEMPTS = 8;
/** Events claimed at once; the claim outlasts sending all of them one after another. */
const CLAIM_BATCH = 20;

export type AuthWebhookConfig = { url: string; secret: string };

/** `v1=<hex HMAC-SHA256 of "<timestamp>.<body>">`: what the receiver recomputes. */
export function signAuthWebhook(secret: string, timestamp: string, body: string): string {
  return `v1=${createHmac("sha256", secret).update(`${timestamp}.${body}`).digest("hex")}`;
}

/** Delay before attempt `attempts + 1`: 2s, 4s, 8s ... capped at 10 minutes. */
export function authWebhookBackoffMs(attempts: number, baseMs = 2000): number {
  return Math.min(baseMs * 2 ** Math.max(attempts - 1, 0), 10 * 60_000);
}

export type AuthWebhookDeliverer = {
  /** Delivers every due event once (the loop calls it; tests may too). */
  deliverDue(): Promise<number>;
  stop(): Promise<void>;
};

export type AuthWebhookDelivererOptions = {
  store: Store;
  config: AuthWebhookConfig;
  logger: HostLogger;
  /** How often the outbox is read; default 1s. */
  pollMs?: number;
  backoffBaseMs?: number;
  requestTimeoutMs?: number;
};

async function attempt(opts: AuthWebhookDelivererOptions, row: AuthWebhookDeliveryRow): Promise<{ ok: boolean; status: number | null; error: string | null }> {
  const timestamp = String(Math.floor(opts.store.now() / 1000));
  try {
    const res = await fetch(opts.config.url, {
      method: "POST",
      redirect: "manual",
      signal: AbortSignal.timeout(opts.requestTimeoutMs ?? 10_000),
      headers: {
        "content-type": "application/json",
        [AUTH_WEBHOOK_EVENT_ID_HEADER]: row.event_id,
        [AUTH_WEBHOOK_TIMESTAMP_HEADER]: timestamp,
        [AUTH_WEBHOOK_SIGNATURE_HEADER]: signAuthWebhook(opts.config.secret, timestamp, row.payload_json),
      },
      body: row.payload_json,
    });
    await res.body?.cancel();
    return { ok: res.status >= 200 && res.status < 300, status: res.status, error: res.status >= 200 && res.status < 300 ? null : `answered ${res.status}` };
  } catch (error) {
    return { ok: false, status: null, error: redact((error as Error).message).slice(0, 300) };
  }
}

export function startAuthWebhookDeliverer(opts: AuthWebhookDelivererOptions): AuthWebhookDeliverer {
  registerSecret(opts.config.secret);
  let running: Promise<number> | undefined;
  let stopped = false;

  const deliverBatch = async (rows: AuthWebhookDeliveryRow[]): Promise<number> => {
    let delivered = 0;
    for (const row of rows) {
      const result = await attempt(opts, row);
      const attempts = row.attempts + 1;
      const gaveUp = !result.ok && attempts >= AUTH_WEBHOOK_MAX_ATTEMPTS;
      await opts.store.authWebhookDeliveries.recordAttempt(row.id, {
        status: result.ok ? "delivered" : gaveUp ? "failed" : "pending",
        attempts,
        next_attempt_at: opts.store.now() + (result.ok ? 0 : authWebhookBackoffMs(attempts, opts.backoffBaseMs)),
        last_status_code: result.status,
        last_error: result.error,
        delivered_at: result.ok ? opts.store.now() : null,
      });
      if (result.ok) delivered++;
      else opts.logger.warn("auth webhook delivery failed", { eventId: row.event_id, attempts, error: result.error, gaveUp });
    }
    return delivered;
  };

  // Claimed before sending (another server's deliverer takes other events), batch by batch until none is due.
  const claimLeaseMs = (opts.requestTimeoutMs ?? 10_000) * CLAIM_BATCH + 60_000;
  const deliverDue = async (): Promise<number> => {
    let delivered = 0;
    while (!stopped) {
      const rows = await opts.store.authWebhookOutbox.claimDue(CLAIM_BATCH, claimLeaseMs);
      if (!rows.length) break;
      delivered += await deliverBatch(rows);
    }
    return delivered;
  };

  const timer = setInterval(() => {
    if (running || stopped) return;
    running = deliverDue()
      .catch((error: unknown) => {
        opts.logger.error("auth webhook deliverer failed", { error: redact((error as Error).message) });
        return 0;
      })
      .finally(() => (running = undefined));
  }, opts.pollMs ?? 1000);
  timer.unref();

  return {
    deliverDue,
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running;
    },
  };
}
