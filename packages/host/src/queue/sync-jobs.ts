// Sync on the queue. One job = one slice (by default one page) of one stream's run; the
// slice re-enqueues the next under the same job key, so no two slices of a stream ever run
// at once and the next page may run on another worker, resuming from the committed
// checkpoint. A transient failure's wait (the provider's Retry-After, or backoff) is the next
// job's run_at: stored with the job, honoured by whichever worker takes it.
import { BackfillError, CONNECTOR_NOT_FOUND, scheduleEveryMs, type ConnectorManifest } from "@backfill-io/sdk";
import type { Store } from "../store/store.js";
import type { ConnectionRow } from "../store/repositories/connections.js";
import type { HostLogger } from "../app/logger.js";
import type { ConnectorRegistry } from "../app/connectors.js";
import type { HostMetrics } from "../ops/metrics.js";
import { backoffDelay, type BackoffPolicy } from "../sync/backoff.js";
import { StreamLockedError, type SyncEngine, type SyncResult } from "../sync/sync.js";
import { QUEUE_INVALID_JOB, type JobContext, type JobPayload, type JobQueue } from "./queue.js";

export const SYNC_SLICE_TASK = "backfill_sync_slice";

export type SyncJobPayload = { connectionId: string; stream: string; runId?: string; retry?: number };

export type SyncJobOptions = {
  /**
   * The default pause between two passes of a stream, before jitter (`--interval`): used when
   * neither the connection (API override) nor the manifest (`streams[].schedule`) sets one.
   */
  intervalFor(connection: ConnectionRow, stream: string): number;
  /** The share of the interval a pass may start early, spreading passes out (default 0.1). */
  jitter?: number;
  /** Pages per job (default 1). */
  pagesPerJob?: number;
  /** At most this many jobs of one provider account (else connection) run at once, over every worker (default 2). */
  concurrencyPerConnection?: number;
  /** Transient failures of one page before the run fails (default 5). */
  maxRetries?: number;
  backoff?: Partial<BackoffPolicy>;
  /** The stream lock's TTL while a slice runs (default 5 minutes). */
  lockTtlMs?: number;
  random?: () => number;
};

export type SyncJobDeps = {
  store: Store;
  connectors: ConnectorRegistry;
  engine: SyncEngine;
  queue: JobQueue;
  logger: HostLogger;
  metrics?: HostMetrics;
  onResult?: (result: SyncResult) => void;
};

const DEFAULT_BACKOFF: BackoffPolicy = { baseDelayMs: 1000, maxDelayMs: 60_000, maxRetryAfterMs: 10 * 60_000 };
/** A new pass waits behind the slices of passes under way (they finish first, their route workers warm). */
const NEW_PASS_PRIORITY = 10;
/** A slice that found its stream locked (a sync started outside the queue) looks again after this. */
const LOCKED_RETRY_MS = 5_000;

export const SYNC_JOB_KEY_PREFIX = "sync:";

export function syncJobKey(connectionId: string, stream: string): string {
  return `${SYNC_JOB_KEY_PREFIX}${connectionId}:${stream}`;
}

/**
 * Whose jobs the cap counts: the provider account (e.g. one shop of an e-commerce provider) when the connection
 * knows it, so two connections to one shop share its cap; else the connection.
 */
export function syncCapScope(connection: Pick<ConnectionRow, "id" | "connector_key" | "provider_account_id">): string {
  return connection.provider_account_id ? `account:${connection.connector_key}:${connection.provider_account_id}` : connection.id;
}

/** The named queue of a stream: streams share their scope's `cap` serial queues, so at most `cap` of its jobs run at once. */
export function syncQueueName(capScope: string, streamIndex: number, cap: number): string {
  return `sync:${capScope}:${streamIndex % Math.max(1, cap)}`;
}

function parsePayload(payload: JobPayload): SyncJobPayload {
  const { connectionId, stream, runId, retry } = payload;
  if (typeof connectionId !== "string" || typeof stream !== "string") throw new BackfillError(QUEUE_INVALID_JOB, "a sync job needs connectionId and stream");
  return { connectionId, stream, ...(typeof runId === "string" ? { runId } : {}), ...(typeof retry === "number" ? { retry } : {}) };
}

export class SyncJobs {
  constructor(
    private readonly deps: SyncJobDeps,
    private readonly opts: SyncJobOptions,
  ) {}

  /** Enqueues a slice of `stream` (replacing a waiting one; a running one is followed by this). */
  async enqueue(
    connection: ConnectionRow,
    stream: string,
    payload: Omit<SyncJobPayload, "connectionId" | "stream"> = {},
    runAt?: Date,
    mode: "replace" | "dedupe" = "replace",
  ): Promise<void> {
    const streams = await this.streamsOf(connection);
    const index = Math.max(0, streams.indexOf(stream));
    await this.deps.queue.add({
      task: SYNC_SLICE_TASK,
      payload: { connectionId: connection.id, stream, ...payload },
      jobKey: syncJobKey(connection.id, stream),
      jobKeyMode: mode,
      queueName: syncQueueName(syncCapScope(connection), index, this.opts.concurrencyPerConnection ?? 2),
      ...(runAt ? { runAt } : {}),
      ...(payload.runId ? {} : { priority: NEW_PASS_PRIORITY }),
      maxAttempts: 5,
    });
  }

  /** The pause between two passes: the connection's override (API), else the manifest's schedule, else the default. */
  async passInterval(connection: ConnectionRow, stream: string): Promise<number> {
    const override = (await this.deps.store.schedules.ofConnection(connection.id)).get(stream);
    if (override !== undefined) return override;
    const fromManifest = (await this.schedulesOf(connection)).get(stream);
    return fromManifest ?? this.opts.intervalFor(connection, stream);
  }

  /** The next pass's start: the interval after `from`, less up to `jitter` of it. */
  async nextPassAt(connection: ConnectionRow, stream: string, from: number): Promise<Date> {
    const interval = await this.passInterval(connection, stream);
    const early = interval * (this.opts.jitter ?? 0.1) * (this.opts.random ?? Math.random)();
    return new Date(from + interval - early);
  }

  /**
   * Makes sure every stream of every active connection has a job: a stream without one is
   * due one interval after its last successful run (now when it never ran). Idempotent, and
   * safe to run on several processes at once (jobs are deduplicated by key).
   */
  async scheduleDue(): Promise<number> {
    const { store, queue } = this.deps;
    const existing = await queue.existingKeys(SYNC_JOB_KEY_PREFIX);
    const lastSuccess = await store.syncRuns.lastSucceeded();
    let added = 0;
    for (const connection of await store.connections.list({ status: "active" })) {
      let streams: string[];
      try {
        streams = await this.streamsOf(connection);
      } catch (error) {
        this.deps.logger.warn("cannot schedule a connection", { connectionId: connection.id, error: (error as Error).message });
        continue;
      }
      for (const stream of streams) {
        const key = syncJobKey(connection.id, stream);
        if (existing.active.has(key)) continue;
        const last = lastSuccess.get(`${connection.id}\u0000${stream}`);
        const runAt = last === undefined ? new Date(store.now()) : await this.nextPassAt(connection, stream, last);
        // A job that ran out of attempts still holds the key: replaced (revived), else added only if absent.
        await this.enqueue(connection, stream, {}, runAt, existing.failed.has(key) ? "replace" : "dedupe");
        added++;
      }
    }
    return added;
  }

  /** The job handler: one slice, then the next slice, a retry, or the next pass. */
  async run(raw: JobPayload, ctx: JobContext): Promise<void> {
    const { store, engine, logger } = this.deps;
    const payload = parsePayload(raw);
    const connection = await store.connections.get(payload.connectionId);
    // Disconnected, revoked or waiting for reauthorization: nothing to do until it is active again.
    if (!connection || connection.status !== "active") return;
    let counted = { pages: 0, records: 0 };
    let result: SyncResult;
    try {
      result = await engine.sync(payload.connectionId, payload.stream, {
        slice: payload.runId ? { runId: payload.runId } : {},
        maxPages: this.opts.pagesPerJob ?? 1,
        maxAttempts: 1,
        lockTtlMs: this.opts.lockTtlMs ?? 5 * 60_000,
        signal: ctx.signal,
        onProgress: (p) => {
          if (p.pages > counted.pages) this.deps.metrics?.page(connection.connector_key, p.records - counted.records);
          counted = { pages: p.pages, records: p.records };
        },
      });
    } catch (error) {
      if (!(error instanceof StreamLockedError)) throw error;
      // Dedupe: a continuation the lock holder enqueued is kept (never replaced by this stale copy);
      // if none exists once this job ends, the schedule sweep enqueues the stream again.
      await this.enqueue(connection, payload.stream, payload.runId ? { runId: payload.runId } : {}, new Date(store.now() + LOCKED_RETRY_MS), "dedupe");
      return;
    }
    this.deps.onResult?.(result);
    const next = result.next;
    if (next?.kind === "page") {
      await this.enqueue(connection, payload.stream, { runId: result.runId }, next.pauseMs ? new Date(store.now() + next.pauseMs) : undefined);
      return;
    }
    if (next?.kind === "retry") {
      this.deps.metrics?.retry(connection.connector_key);
      const retry = (payload.retry ?? 0) + 1;
      if (retry < (this.opts.maxRetries ?? 5)) {
        const delay = backoffDelay(retry, { ...DEFAULT_BACKOFF, ...this.opts.backoff }, next.retryAfterMs, this.opts.random);
        await this.enqueue(connection, payload.stream, { runId: result.runId, retry }, new Date(store.now() + delay));
        return;
      }
      await store.syncRuns.finish(result.runId, "failed", "failed", `gave up after ${retry} attempts: ${result.error ?? ""}`.trim());
      logger.warn("queued sync gave up", { connectionId: connection.id, stream: payload.stream, attempts: retry });
    }
    if (result.outcome === "cancelled") {
      // Shut down mid-run: released for another worker now, from the committed checkpoint.
      await this.enqueue(connection, payload.stream);
      return;
    }
    if (result.outcome === "reauth_required") return;
    await this.enqueue(connection, payload.stream, {}, await this.nextPassAt(connection, payload.stream, store.now()));
  }

  private readonly manifestStreams = new Map<string, Promise<ConnectorManifest["streams"]>>();

  /** The connector's streams (manifests do not change while a process runs). */
  private manifestStreamsOf(connection: ConnectionRow): Promise<ConnectorManifest["streams"]> {
    const key = connection.connector_key;
    let streams = this.manifestStreams.get(key);
    if (!streams) {
      streams = this.deps.connectors.get(key).then((loaded) => {
        if (!loaded) throw new BackfillError(CONNECTOR_NOT_FOUND, `connector ${key} is not installed`, { connectorKey: key });
        return loaded.manifest.streams;
      });
      streams.catch(() => this.manifestStreams.delete(key));
      this.manifestStreams.set(key, streams);
    }
    return streams;
  }

  private async streamsOf(connection: ConnectionRow): Promise<string[]> {
    return (await this.manifestStreamsOf(connection)).map((s) => s.name);
  }

  /** The manifest's `streams[].schedule.every`, in ms, by stream. */
  private async schedulesOf(connection: ConnectionRow): Promise<Map<string, number>> {
    const schedules = new Map<string, number>();
    for (const s of await this.manifestStreamsOf(connection)) {
      const ms = s.schedule ? scheduleEveryMs(s.schedule.every) : undefined;
      if (ms !== undefined) schedules.set(s.name, ms);
    }
    return schedules;
  }
}
