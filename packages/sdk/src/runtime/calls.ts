// The synchronous runtime API connector code calls: OAuth, Http, Settings, Secrets,
// ingest, Checkpoint, log and Connection. Each is a thin call into the bound host.
import {
  currentBinding,
  type AccessTokenOptions,
  type CheckpointState,
  type HttpMethod,
  type HttpResponse,
  type LogLevel,
  type RecordsRedaction,
  type ConnectionInfo,
  type OAuthHttpAuth,
  type CheckpointOptions,
} from "./binding.js";
import { BackfillError } from "./errors.js";
import { HOST_CAPABILITY_MISSING } from "./error-codes.js";
import { ENTITY_KINDS, isEntityKind, type EntityKind } from "../entities/registry.js";
import type { IngestResult } from "../policy/ingest.js";
import { checkDeliveryIds } from "../policy/webhooks.js";
import { validateDeletions, type RecordDeletion } from "../policy/commit.js";
import { parseCheckpoint } from "../policy/checkpoint.js";
import type { z } from "zod";

export const OAuth = {
  /**
   * The connection's access token, valid for at least `minTtlSeconds` (refreshed by the
   * host when needed). Throws `{ code: "reauth_required", reason }` when it cannot be had.
   */
  accessToken(opts: AccessTokenOptions = {}): string {
    return currentBinding("OAuth.accessToken").accessToken(opts);
  },
};

export type HttpOptions = {
  headers?: Record<string, string>;
  query?: Record<string, string | number | boolean | undefined | null>;
  timeoutMs?: number;
  /** Attach the connection's OAuth token (only to the provider's own hosts). */
  auth?: { oauth?: true | OAuthHttpAuth };
};

function withQuery(url: string, query: HttpOptions["query"]): string {
  if (!query) return url;
  let target: URL;
  try {
    target = new URL(url);
  } catch {
    return url; // the binding reports the invalid URL
  }
  for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== null) target.searchParams.set(k, String(v));
  return target.toString();
}

function request<T>(method: HttpMethod, url: string, body: unknown, opts: HttpOptions = {}): HttpResponse<T> {
  const binding = currentBinding(`Http.${method.toLowerCase()}`);
  const oauth = opts.auth?.oauth;
  return binding.http({
    method,
    url: withQuery(url, opts.query),
    headers: { ...(opts.headers ?? {}) },
    ...(body !== undefined ? { body } : {}),
    ...(opts.timeoutMs !== undefined ? { timeoutMs: opts.timeoutMs } : {}),
    ...(oauth ? { auth: { oauth: oauth === true ? {} : oauth } } : {}),
  }) as HttpResponse<T>;
}

/* eslint-disable @typescript-eslint/no-explicit-any -- provider JSON is untyped unless the caller names T */
export const Http = {
  get: <T = any>(url: string, opts?: HttpOptions) => request<T>("GET", url, undefined, opts),
  delete: <T = any>(url: string, opts?: HttpOptions) => request<T>("DELETE", url, undefined, opts),
  post: <T = any>(url: string, body?: unknown, opts?: HttpOptions) => request<T>("POST", url, body, opts),
  put: <T = any>(url: string, body?: unknown, opts?: HttpOptions) => request<T>("PUT", url, body, opts),
  patch: <T = any>(url: string, body?: unknown, opts?: HttpOptions) => request<T>("PATCH", url, body, opts),
};
/* eslint-enable @typescript-eslint/no-explicit-any */

export const Settings = {
  /** A non-secret connection setting (validated and normalized by the host). */
  get<T = string>(name: string): T {
    return currentBinding("Settings.get").getSetting(name) as T;
  },
};

export const Secrets = {
  /** A secret declared readable in permissions.secrets, or undefined when not set. */
  get(name: string): string | undefined {
    return currentBinding("Secrets.get").getSecret(name);
  },
};

export type IngestOptions<P> = {
  stream?: string;
  continueOnError?: boolean;
  /** A stable key per record, from the provider's ids (never a page index). */
  idempotencyKey?: (payload: P, index: number) => string;
};

function defaultIdempotencyKey(kind: EntityKind, payload: unknown): string {
  // An unknown kind gets no key here: the binding rejects the kind itself, with the known ones.
  if (!isEntityKind(kind)) return "";
  const id = ((payload ?? {}) as Record<string, unknown>)[ENTITY_KINDS[kind].idField];
  if (typeof id !== "string" || !id) {
    throw new BackfillError("invalid_request", `ingest.batch: payload has no id for ${kind}; pass idempotencyKey`);
  }
  return `${kind}:${id}`;
}

export const ingest = {
  /**
   * Validates payloads against the canonical schema of `kind` and stages them; the host
   * commits them with the page's checkpoint when the route succeeds.
   */
  batch<P>(kind: EntityKind, payloads: readonly P[], opts: IngestOptions<P> = {}): IngestResult {
    const binding = currentBinding("ingest.batch");
    const items = payloads.map((payload, index) => ({
      idempotencyKey: opts.idempotencyKey ? opts.idempotencyKey(payload, index) : defaultIdempotencyKey(kind, payload),
      payload,
    }));
    return binding.ingest(kind, items, { ...(opts.stream ? { stream: opts.stream } : {}), continueOnError: opts.continueOnError ?? false });
  },
};

export const Checkpoint = {
  /**
   * The last committed state of a stream (undefined on the first run). With `schema`, the
   * state is parsed by it (typed, defaults applied); a state it refuses throws BackfillError
   * checkpoint_invalid naming the fields, so route code never reads an unchecked shape.
   */
  get<T extends CheckpointState = CheckpointState, S extends z.ZodType | undefined = undefined>(stream: string, schema?: S): (S extends z.ZodType ? z.output<S> : T) | undefined {
    const stored = currentBinding("Checkpoint.get").getCheckpoint(stream);
    return (schema ? parseCheckpoint(stream, stored, schema) : stored) as (S extends z.ZodType ? z.output<S> : T) | undefined;
  },
  /**
   * Stages the stream's next state. Committed atomically with this page's records when the
   * route succeeds; `hasMore: true` asks the host to call the route again.
   */
  set(stream: string, state: CheckpointState, opts: CheckpointOptions): void {
    currentBinding("Checkpoint.set").setCheckpoint(stream, state, opts);
  },
};

function logAt(level: LogLevel) {
  return (message: string, fields?: Record<string, unknown>) => currentBinding(`log.${level}`).log(level, message, fields);
}

/** Structured logs; the host redacts every live secret and token-like value. */
export const log = { debug: logAt("debug"), info: logAt("info"), warn: logAt("warn"), error: logAt("error") };

export const Records = {
  /** Tombstones stored records (compliance redaction); returns how many were redacted. */
  redact(selector: RecordsRedaction): { redacted: number } {
    return currentBinding("Records.redact").redactRecords(selector);
  },
  /**
   * The provider deleted these records (a customers/delete or customer.deleted webhook):
   * staged like ingest and committed with the page, they become tombstones carrying the
   * deletion time, listed as deletions in the records changes feed. Needs write permission
   * on the entity. Returns how many were staged.
   */
  delete(kind: EntityKind, deletions: RecordDeletion[], opts: { stream?: string } = {}): { staged: number } {
    const binding = currentBinding("Records.delete");
    if (!binding.deleteRecords) throw new BackfillError(HOST_CAPABILITY_MISSING, "Records.delete: this Backfill host does not support deletions");
    return binding.deleteRecords(kind, validateDeletions(kind, deletions), opts);
  },
};

export const Connection = {
  /** The connection's id, connector and provider account (e.g. to reject a webhook for another account). */
  info(): ConnectionInfo {
    const binding = currentBinding("Connection.info");
    if (!binding.connectionInfo) throw new BackfillError(HOST_CAPABILITY_MISSING, "Connection.info: this Backfill host does not provide connection info");
    return binding.connectionInfo();
  },
  /** Marks the connection revoked (e.g. an app/uninstalled webhook): syncs stop with reauth_required. */
  markRevoked(reason: string): void {
    currentBinding("Connection.markRevoked").setConnectionStatus({ status: "revoked", reason });
  },
};

function webhookBinding(call: string) {
  const binding = currentBinding(call);
  if (!binding.webhookDeliveryProcessed || !binding.markWebhookDeliveryProcessed) {
    throw new BackfillError(HOST_CAPABILITY_MISSING, `${call}: this Backfill host does not remember webhook deliveries`);
  }
  return binding as typeof binding & Required<Pick<typeof binding, "webhookDeliveryProcessed" | "markWebhookDeliveryProcessed">>;
}

/**
 * Webhook deduplication. Providers deliver at least once: a redelivery (or a replay) of a
 * delivery already processed must do nothing. Call after the signature is verified, so
 * an unsigned request can never burn a genuine delivery's id. Ids are per connection,
 * remembered for WEBHOOK_DELIVERY_RETENTION_MS; pass one id or several (e.g. a delivery id
 * and an event id) and prefix them with the provider (`acme:webhook:<id>`).
 */
export const Webhooks = {
  /** True when any of the ids was already processed for this connection. */
  alreadyProcessed(deliveryIds: string | readonly string[]): boolean {
    const ids = checkDeliveryIds("Webhooks.alreadyProcessed", deliveryIds);
    return webhookBinding("Webhooks.alreadyProcessed").webhookDeliveryProcessed(ids);
  },
  /**
   * Marks the ids processed, atomically with this route's records, redactions and status
   * change: only when the route answers 2xx. A failed route leaves them unmarked, so the
   * provider's retry is processed.
   */
  markProcessed(deliveryIds: string | readonly string[]): void {
    const ids = checkDeliveryIds("Webhooks.markProcessed", deliveryIds);
    webhookBinding("Webhooks.markProcessed").markWebhookDeliveryProcessed(ids);
  },
};
