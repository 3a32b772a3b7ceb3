// Delivers the auth event outbox to the operator's backend: POST <url> with the event as
// the body, signed with HMAC-SHA256 (Stripe's scheme: the signature covers
// "<timestamp>.<body>", so a captured request cannot be replayed with a new timestamp),
// retried with exponential backoff (the host's one retry policy, src/retry/: the wait is stored
// as next_attempt_at), every attempt recorded in auth_webhook_deliveries. Sent with undici on a
// dispatcher of the host's one HTTP stack (src/http/), never provider-routed, no redirect followed.
import { createHmac } from "node:crypto";
import { request, type Dispatcher } from "undici";
import { redact, registerSecret } from "@backfill-io/sdk";
import { createHostDispatcher } from "../http/dispatcher.js";
import { describeRequest, outboundError } from "../http/errors.js";
import { retryDelay, type RetryPolicy } from "../retry/policy.js";
import type { AuthWebhookDeliveryRow } from "../store/schema.js";
import type { Store } from "../store/store.js";
import type { HostLogger } from "../app/logger.js";

export const AUTH_WEBHOOK_SIGNATURE_HEADER = "x-backfill-signature";
export const AUTH_WEBHOOK_TIMESTAMP_HEADER = "x-backfill-timestamp";
export const AUTH_WEBHOOK_EVENT_ID_HEADER = "x-backfill-event-id";
/** Where `serve` reads the signing secret from (never a command-line value). */
export const AUTH_WEBHOOK_SECRET_ENV = "BACKFILL_AUTH_WEBHOOK_SECRET";

/**
 * 8 attempts in all; waits of 2 s, 4 s, 8 s ... capped at 10 minutes, without jitter (one sender
 * per event). Every failure is retried: a 4xx may be the operator's deploy, fixed within the hour.
 */
const AUTH_WEBHOOK_RETRY: RetryPolicy = { attempts: 8, baseDelayMs: 2000, maxDelayMs: 10 * 60_000, jitter: 0, maxRetryAfterMs: 0, transient: () => true };
/** Events claimed at once; the claim outlasts sending all of them one after another. */
const CLAIM_BATCH = 20;

export type AuthWebhookConfig = { url: string; secret: string };

/** `v1=<hex HMAC-SHA256 of "<timestamp>.<body>">`: what the receiver recomputes. */
export function signAuthWebhook(secret: string, timestamp: string, body: string): string {
  return `v1=${createHmac("sha256", secret).update(`${timestamp}.${body}`).digest("hex")}`;
}

/** Delay before attempt `attempts + 1`. */
function authWebhookBackoffMs(attempts: number, baseMs = AUTH_WEBHOOK_RETRY.baseDelayMs): number {
  return retryDelay(attempts, { ...AUTH_WEBHOOK_RETRY, baseDelayMs: baseMs }, null);
}

/** Where to POST: the URL without its userinfo, which becomes Basic auth (as curl sends it). */
function target(rawUrl: string): { url: URL; authorization: string | null } {
  const url = new URL(rawUrl);
  if (!url.username && !url.password) return { url, authorization: null };
  const basic = Buffer.from(`${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`).toString("base64");
  // The password, or a token given as the user name alone.
  registerSecret(url.password ? decodeURIComponent(url.password) : decodeURIComponent(url.username), basic);
  url.username = "";
  url.password = "";
  return { url, authorization: `Basic ${basic}` };
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

type Sender = { dispatcher: Dispatcher; url: URL; authorization: string | null };

async function attempt(opts: AuthWebhookDelivererOptions, sender: Sender, row: AuthWebhookDeliveryRow): Promise<{ ok: boolean; status: number | null; error: string | null }> {
  const timestamp = String(Math.floor(opts.store.now() / 1000));
  try {
    const res = await request(sender.url, {
      method: "POST",
      dispatcher: sender.dispatcher,
      signal: AbortSignal.timeout(opts.requestTimeoutMs ?? 10_000),
      headers: {
        "content-type": "application/json",
        "user-agent": "backfill-host",
        ...(sender.authorization ? { authorization: sender.authorization } : {}),
        [AUTH_WEBHOOK_EVENT_ID_HEADER]: row.event_id,
        [AUTH_WEBHOOK_TIMESTAMP_HEADER]: timestamp,
        [AUTH_WEBHOOK_SIGNATURE_HEADER]: signAuthWebhook(opts.config.secret, timestamp, row.payload_json),
      },
      body: row.payload_json,
    });
    // The answer's body means nothing to us: read a little and drop the rest.
    await res.body.dump();
    const ok = res.statusCode >= 200 && res.statusCode < 300;
    return { ok, status: res.statusCode, error: ok ? null : `answered ${res.statusCode}` };
  } catch (error) {
    return { ok: false, status: null, error: redact(outboundError(error, describeRequest("POST", sender.url)).message).slice(0, 300) };
  }
}

export function startAuthWebhookDeliverer(opts: AuthWebhookDelivererOptions): AuthWebhookDeliverer {
  registerSecret(opts.config.secret);
  const sender: Sender = { dispatcher: createHostDispatcher(), ...target(opts.config.url) };
  let running: Promise<number> | undefined;
  let stopped = false;

  const deliverBatch = async (rows: AuthWebhookDeliveryRow[]): Promise<number> => {
    let delivered = 0;
    for (const row of rows) {
      const result = await attempt(opts, sender, row);
      const attempts = row.attempts + 1;
      const gaveUp = !result.ok && (attempts >= AUTH_WEBHOOK_RETRY.attempts || !AUTH_WEBHOOK_RETRY.transient(result));
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
      await sender.dispatcher.close();
    },
  };
}
