// sync(connection, stream): calls the stream's sync route page after page until its
// checkpoint says hasMore: false. Each page's records and checkpoint are committed in
// one transaction, only when the route answered 2xx; the next page reads that
// checkpoint, so a host killed mid-run resumes exactly where the last commit left off.
import { hostname } from "node:os";
import { randomUUID } from "node:crypto";
import { BackfillError, retryAfterSeconds, type ConnectorManifest } from "@backfill-io/sdk";
import { optionalScopeNotices, type OptionalScopeNotice } from "@backfill-io/sdk/policy";
import type { Store } from "../store/store.js";
import type { RouteRunner, RouteRunResult } from "../runner/runner.js";
import type { ConnectionServices } from "../runner/services.js";
import { followOnAllowed, stagedFollowOnSummary } from "../runner/follow-on.js";
import { SKIPPED } from "../runner/page-chain.js";
import { backoffDelay, sleep, type BackoffPolicy } from "./backoff.js";
import { commitStagedPages } from "./commit.js";
import { emitAuthEvent } from "../events/auth-events.js";
import { tokenGrantFingerprint } from "../tokens/token-store.js";

export type SyncOutcome = "succeeded" | "failed" | "reauth_required" | "cancelled";

export type SyncProgress = {
  stream: string;
  pages: number;
  records: number;
  rejected: number;
  retries: number;
  rate: number;
  /** True on the stream's last event (exactly one, whatever the outcome), with the final counts. */
  done: boolean;
  /** The JSON body of the page just committed (the route's own summary, e.g. a bulk pass's step and job status). */
  lastPage?: Record<string, unknown>;
};

export type SyncResult = {
  runId: string;
  connectionId: string;
  stream: string;
  outcome: SyncOutcome;
  pages: number;
  accepted: number;
  rejected: number;
  retries: number;
  durationMs: number;
  error?: string;
  /** What this run could not read because the grant lacks an optional scope (manifest oauth.optionalScopes). */
  notices?: OptionalScopeNotice[];
  /** Slice mode only: the run is still open and goes on in a later slice (a queue job). */
  next?: SyncSliceNext;
};

/**
 * Where a slice left its run: `page` (more pages, after `pauseMs`), or `retry` (a transient
 * failure: the provider's Retry-After, if it sent one). The caller schedules the next slice.
 */
export type SyncSliceNext = { kind: "page"; pauseMs: number } | { kind: "retry"; retryAfterMs: number | null };

/** Run at most `maxPages` pages of a run (opened here, or `runId` continued) and leave it open when more remain. */
export type SyncSlice = { runId?: string };

export type SyncOptions = {
  /** Attempts per page (the first try included) before the run fails. */
  maxAttempts?: number;
  backoff?: Partial<BackoffPolicy>;
  /** Stop after this many pages even if the route says hasMore (a safety net). */
  maxPages?: number;
  lockTtlMs?: number;
  signal?: AbortSignal;
  onProgress?: (progress: SyncProgress) => void;
  random?: () => number;
  /** Slice mode (the job queue): no sleeping in process; the result's `next` says what comes after. */
  slice?: SyncSlice;
};

export type ResolvedSyncConnection = { services: ConnectionServices; routesDir: string; manifest: ConnectorManifest };

export type SyncDeps = {
  store: Store;
  runner: RouteRunner;
  resolve(connectionId: string): Promise<ResolvedSyncConnection>;
};

/** A sync of that stream of that connection is already running (one at a time, across hosts). */
export const STREAM_LOCKED = "stream_locked";

export class StreamLockedError extends BackfillError<typeof STREAM_LOCKED> {
  constructor(connectionId: string, stream: string) {
    super(STREAM_LOCKED, `a sync of ${stream} on ${connectionId} is already running`);
    this.name = "StreamLockedError";
  }
}

const DEFAULT_BACKOFF: BackoffPolicy = { baseDelayMs: 500, maxDelayMs: 30_000, maxRetryAfterMs: 5 * 60_000 };
const HOST = hostname();

/** A lock owner names its process, so a lock left by a killed process can be recognised. */
function lockOwner(): string {
  return `${HOST}:${process.pid}:${randomUUID()}`;
}

function ownerIsDead(owner: string): boolean {
  const [host, pid] = owner.split(":");
  if (host !== HOST || !pid || Number(pid) === process.pid) return false;
  try {
    process.kill(Number(pid), 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "ESRCH";
  }
}

/** A committed page's JSON object body, for progress; anything else is left out. */
function pageSummary(bodyText: string): Record<string, unknown> | undefined {
  try {
    const body: unknown = JSON.parse(bodyText);
    return body && typeof body === "object" && !Array.isArray(body) ? (body as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

function errorOf(result: RouteRunResult): { code?: string; message?: string; details?: Record<string, unknown> } {
  try {
    const body = JSON.parse(result.bodyText) as { error?: { code?: string; message?: string; details?: Record<string, unknown> } };
    return body.error ?? {};
  } catch {
    return {};
  }
}

function isTransient(result: RouteRunResult): boolean {
  if (result.outcome === "timeout" || result.outcome === "crashed") return true;
  return result.outcome === "ok" && (result.status === 408 || result.status === 429 || result.status >= 500);
}

/** The optional scopes the connection's grant lacks that affect `stream`. */
export async function streamScopeNotices(store: Store, manifest: ConnectorManifest, connectionId: string, stream?: string): Promise<OptionalScopeNotice[]> {
  const oauth = manifest.connection.oauth;
  if (!oauth?.optionalScopes.length) return [];
  const tokens = await store.tokens.get(connectionId);
  if (!tokens) return [];
  return optionalScopeNotices(oauth, tokens.scopes, stream);
}

/** The connection's current grant, as the token the route was given names it (RouteRunResult.grant). */
async function grantFingerprint(store: Store, connectionId: string): Promise<string | null> {
  const row = await store.tokens.get(connectionId);
  return row ? tokenGrantFingerprint(row) : null;
}

/**
 * Pages a sync runs ahead of the one it commits: the worker goes on to the next page while the
 * main thread takes a page's answer and commits it, so neither waits for the other. Each is
 * dropped, never committed, when a commit before it fails or the run ends. With 2, one page in
 * ten found its follow-on not yet sent (the engine was still writing a group) and the worker
 * waited for it (~0.12 ms a page on average); with 4 it never does.
 */
const PAGES_AHEAD = 4;

/** How long a page's commit waits for the page started ahead of it to get its first answer. */
const AHEAD_FIRST_ANSWER_WAIT_MS = 200;

/**
 * Pages that come faster than the main thread commits them are committed together, in one
 * transaction (commitStagedPages): the lock renewal, run counters and the transaction's own
 * cost, ~130 µs of the main thread's time, once for all of them instead of once a page. A page
 * is held only while the next one is already on its way, for this long at most (a slow
 * provider's pages are each committed while the next one is awaited), and a group is bounded
 * in pages and records. What is stored is the same: all of a group's pages or none, each
 * with its records and checkpoint, and a run that stops commits what it holds.
 */
const GROUP_MAX_WAIT_MS = 20;
const GROUP_MAX_PAGES = 8;
const GROUP_MAX_RECORDS = 300;

/** Resolves true when the first of `events` settles (fulfilled or not), false after `ms`: the host's one wait, ended early. */
function firstOrAfter(ms: number, ...events: Promise<unknown>[]): Promise<boolean> {
  // A bare timer, cleared when an event comes first: an AbortController and an abortable sleep
  // per page cost ~40 µs of the main thread's time between two provider requests.
  return new Promise<boolean>((resolve) => {
    const timer = setTimeout(() => resolve(false), Math.max(0, ms));
    const done = () => {
      clearTimeout(timer);
      resolve(true);
    };
    for (const event of events) event.then(done, done);
  });
}

/** The longest pause a route may ask for between pages. */
const MAX_PAUSE_SECONDS = 60;

export class SyncEngine {
  constructor(private readonly deps: SyncDeps) {}

  /** Syncs every stream of the connection (or only `stream`), one after another. */
  async syncConnection(connectionId: string, opts: SyncOptions & { stream?: string } = {}): Promise<SyncResult[]> {
    const { manifest } = await this.deps.resolve(connectionId);
    const streams = opts.stream ? [opts.stream] : manifest.streams.map((s) => s.name);
    const results: SyncResult[] = [];
    for (const stream of streams) {
      const result = await this.sync(connectionId, stream, opts);
      results.push(result);
      if (result.outcome === "reauth_required" || result.outcome === "cancelled") break;
    }
    return results;
  }

  async sync(connectionId: string, stream: string, opts: SyncOptions = {}): Promise<SyncResult> {
    const { store, runner } = this.deps;
    const resolved = await this.deps.resolve(connectionId);
    const streamDef = resolved.manifest.streams.find((s) => s.name === stream);
    if (!streamDef) throw new Error(`connector ${resolved.manifest.key} has no stream ${stream} (streams: ${resolved.manifest.streams.map((s) => s.name).join(", ") || "none"})`);

    const owner = lockOwner();
    const lockTtlMs = opts.lockTtlMs ?? 5 * 60_000;
    await this.takeLock(connectionId, stream, owner, lockTtlMs);

    // Files past their retention go before the run can add more (the stream's own are removed when it ends).
    await resolved.services.files?.store.purgeExpired();
    const started = performance.now();
    const run = await this.sliceRun(connectionId, stream, opts.slice);
    const result: SyncResult = { runId: run.id, connectionId, stream, outcome: "failed", pages: 0, accepted: 0, rejected: 0, retries: 0, durationMs: 0 };
    const notices = await streamScopeNotices(store, resolved.manifest, connectionId, stream);
    if (notices.length) result.notices = notices;
    const maxAttempts = opts.maxAttempts ?? 5;
    const policy = { ...DEFAULT_BACKOFF, ...(opts.backoff ?? {}) };
    const progress = (done = false, lastPage?: Record<string, unknown>) =>
      opts.onProgress?.({
        ...(lastPage ? { lastPage } : {}),
        stream,
        pages: result.pages,
        records: result.accepted,
        rejected: result.rejected,
        retries: result.retries,
        rate: result.accepted / Math.max(0.001, (performance.now() - started) / 1000),
        done,
      });

    let attempt = 0;
    // The state the next page reads (Checkpoint.get answered in the route's isolate): the last
    // committed one, or while a page commits, the one it staged.
    let known = await resolved.services.committedCheckpoint(stream);
    const chain = runner.pageChain({ routesDir: resolved.routesDir, services: resolved.services, route: streamDef.route, method: "POST" }, stream);
    /** The page running now (sent, not yet taken), and the pages after it: sent while it runs, each run by the worker right after the one before it if that one allows a follow-on. */
    let running: Promise<RouteRunResult | typeof SKIPPED> | undefined;
    const ahead: { page: Promise<RouteRunResult | typeof SKIPPED>; firstAnswer: Promise<void> }[] = [];
    const fresh = () => chain.run({ checkpoints: { [stream]: known } });
    /** A page sent ahead and never committed: its downloads go (nothing refers to them). */
    const drop = async (page: Promise<RouteRunResult | typeof SKIPPED> | undefined) => {
      const dropped = await page?.catch(() => undefined);
      if (dropped && dropped !== SKIPPED) await resolved.services.files?.store.removeFiles(connectionId, dropped.staged.downloadedFiles);
    };
    // Cancelled: the pages sent ahead do not start (stopping waits for the page running at most).
    const cancelAhead = () => chain.cancelAhead();
    opts.signal?.addEventListener("abort", cancelAhead, { once: true });
    const dropAhead = async () => {
      for (const { page } of ahead.splice(0)) await drop(page);
    };
    /** Pages taken and not yet committed (GROUP_MAX_WAIT_MS): each answered 2xx, allowed the next to follow and has more after it. */
    const held: RouteRunResult[] = [];
    let heldSince = 0;
    /** Commits the held pages and `page` (when given) in one transaction, then counts each and reports it. */
    const commitPages = async (page?: RouteRunResult) => {
      const pages = page ? [...held, page] : [...held];
      if (!pages.length) return;
      // A commit that fails or is refused ends the run: `finally` drops the pages it held and the page sent ahead.
      const commit = await commitStagedPages(
        store,
        connectionId,
        pages.map((p) => p.staged),
        { defaultStream: stream, runId: run.id, lock: { stream, owner, ttlMs: lockTtlMs } },
      );
      if (!commit.committed) throw new StreamLockedError(connectionId, stream);
      held.length = 0;
      for (const committed of pages) {
        const checkpoint = committed.staged.checkpoints.find((c) => c.stream === stream);
        known = checkpoint ? checkpoint.state : known;
        result.pages++;
        result.accepted += committed.staged.accepted;
        result.rejected += committed.staged.rejected;
        if (opts.onProgress) progress(false, pageSummary(committed.bodyText));
      }
    };
    try {
      for (;;) {
        if (opts.signal?.aborted) {
          await commitPages();
          result.outcome = "cancelled";
          break;
        }
        if (opts.maxPages !== undefined && result.pages >= opts.maxPages) {
          result.outcome = "succeeded";
          if (opts.slice) result.next = { kind: "page", pauseMs: 0 };
          break;
        }
        running ??= fresh();
        // Held pages wait for the next one only briefly: a slow page's are committed while it is
        // awaited (and the run checks again whether it was cancelled or reached maxPages).
        if (held.length && !(await firstOrAfter(heldSince + GROUP_MAX_WAIT_MS - performance.now(), running))) {
          await commitPages();
          continue;
        }
        // The lock is renewed by each page's commit (and before each retry), not by a write of its own.
        const taken = await running;
        running = undefined;
        // Only a page sent ahead is skipped: the one before it allowed none. Read this one afresh.
        if (taken === SKIPPED) {
          await commitPages();
          await dropAhead();
          continue;
        }
        const page = taken;

        if (page.outcome === "ok" && page.status >= 200 && page.status < 300) {
          attempt = 0;
          const checkpoint = page.staged.checkpoints.find((c) => c.stream === stream);
          // Pages up to this one, counted before it commits.
          const through = result.pages + held.length + 1;
          const followOn = !opts.signal?.aborted && followOnAllowed(stagedFollowOnSummary(page.staged), stream);
          if (followOn) {
            // The pages after this one, asked for now, while the next one's provider request is on
            // its way (after this page's commit, they would delay the worker's next call): the
            // worker starts each the moment the one before it answers, if that one allows a follow-on.
            while (ahead.length < PAGES_AHEAD && (opts.maxPages === undefined || through + 1 + ahead.length <= opts.maxPages)) {
              let answered!: () => void;
              const firstAnswer = new Promise<void>((resolve) => (answered = resolve));
              ahead.push({ page: chain.follow({ onCallAnswered: () => answered() }), firstAnswer });
            }
          } else await dropAhead();
          const next = ahead[0];
          // Held only when the next page follows this one (more to read, no pause: followOnAllowed) and is on its way.
          const holdable =
            followOn &&
            next !== undefined &&
            (opts.maxPages === undefined || through < opts.maxPages) &&
            held.length + 1 < GROUP_MAX_PAGES &&
            held.reduce((records, p) => records + p.staged.records.length, page.staged.records.length) < GROUP_MAX_RECORDS;
          if (holdable) {
            if (!held.length) heldSince = performance.now();
            held.push(page);
            running = ahead.shift()?.page;
            continue;
          }
          // This page (with those held) commits once the next one's first call (its provider request)
          // was answered, or soon: then that page's route works on its answer while these are written.
          if (next) await firstOrAfter(AHEAD_FIRST_ANSWER_WAIT_MS, next.firstAnswer, next.page);
          await commitPages(page);
          if (page.staged.connectionStatus?.status === "revoked") {
            result.outcome = "reauth_required";
            result.error = "the connection was revoked";
            break;
          }
          // No checkpoint means a single-page stream.
          if (!checkpoint?.hasMore) {
            // The stream's sync ended: its downloaded files are no longer needed.
            await resolved.services.files?.store.removeStream(connectionId, stream);
            result.outcome = "succeeded";
            break;
          }
          // A page committed part-way under throttling asks for a pause before the next one.
          if (opts.slice && checkpoint.pauseSeconds && opts.maxPages !== undefined && result.pages >= opts.maxPages) {
            result.outcome = "succeeded";
            result.next = { kind: "page", pauseMs: Math.min(checkpoint.pauseSeconds, MAX_PAUSE_SECONDS) * 1000 };
            break;
          }
          if (checkpoint.pauseSeconds) await sleep(Math.min(checkpoint.pauseSeconds, MAX_PAUSE_SECONDS) * 1000, opts.signal);
          running = ahead.shift()?.page;
          continue;
        }

        // The pages held before this one succeeded: they are stored before it is retried or the run ends.
        await commitPages();
        await dropAhead();
        // Nothing of the failed page was committed, so nothing refers to what it downloaded.
        await resolved.services.files?.store.removeFiles(connectionId, page.staged.downloadedFiles);
        const error = errorOf(page);
        // A 401 for a grant replaced while the page ran (a reconnect: the provider revoked the old
        // token when it issued the new one) is retried with the new grant, not marked reauth_required.
        // Compared with the grant of the token the route was given (no read of the grant on every page).
        const grantReplaced = page.status === 401 && page.grant !== undefined && (await grantFingerprint(store, connectionId)) !== page.grant;
        if (page.status === 401 && !grantReplaced) {
          const reason = typeof error.details?.reason === "string" ? error.details.reason : "missing_token";
          await store.transaction(async (tx) => {
            await tx.connections.setStatus(connectionId, "reauth_required", reason);
            await emitAuthEvent(tx, "connection.reauth_required", connectionId);
          });
          result.outcome = "reauth_required";
          result.error = error.message ?? "the provider needs the connection authorized again";
          break;
        }
        if (!grantReplaced && !isTransient(page)) {
          result.outcome = "failed";
          result.error = `${page.outcome === "ok" ? `route answered ${page.status}` : page.outcome}: ${error.message ?? ""}`.trim();
          break;
        }
        attempt++;
        // No commit renewed the lock on this page: the retry renews it (or finds it taken over).
        if (!(await store.streamLocks.tryLock(connectionId, stream, owner, lockTtlMs))) throw new StreamLockedError(connectionId, stream);
        if (opts.slice && attempt >= maxAttempts) {
          // The wait is the queue's (stored with the job), not this process's.
          const retryAfter = page.outcome === "ok" ? retryAfterSeconds({ status: page.status, headers: page.headers }) : null;
          result.outcome = "failed";
          result.error = `${page.outcome === "ok" ? `route answered ${page.status}` : page.outcome} ${error.message ?? ""}`.trim();
          result.next = { kind: "retry", retryAfterMs: retryAfter === null ? null : retryAfter * 1000 };
          result.retries++;
          await store.syncRuns.increment(run.id, { retries: 1 });
          break;
        }
        if (attempt >= maxAttempts) {
          result.outcome = "failed";
          result.error = `gave up after ${attempt} attempts: ${page.outcome === "ok" ? `route answered ${page.status}` : page.outcome} ${error.message ?? ""}`.trim();
          break;
        }
        const retryAfter = page.outcome === "ok" ? retryAfterSeconds({ status: page.status, headers: page.headers }) : null;
        const delay = backoffDelay(attempt, policy, retryAfter === null ? null : retryAfter * 1000, opts.random);
        result.retries++;
        await store.syncRuns.increment(run.id, { retries: 1 });
        progress();
        await sleep(delay, opts.signal);
      }
    } catch (error) {
      result.outcome = "failed";
      result.error = (error as Error).message;
      throw error;
    } finally {
      // A page sent ahead of a run that ended (cancelled, failed, out of pages) is not committed,
      // and one not yet started never starts.
      chain.cancelAhead();
      await dropAhead();
      await drop(running);
      // Held when the run failed (a commit refused or failing): never stored, so nothing refers to their downloads.
      for (const page of held.splice(0)) await drop(Promise.resolve(page));
      opts.signal?.removeEventListener("abort", cancelAhead);
      await chain.close();
      result.durationMs = performance.now() - started;
      if (!result.next)
        await store.syncRuns.finish(
          run.id,
          result.outcome === "succeeded" ? "succeeded" : result.outcome === "cancelled" ? "cancelled" : "failed",
          result.outcome,
          result.error ?? null,
        );
      await store.streamLocks.unlock(connectionId, stream, owner);
      // After the run is recorded and unlocked, so a throwing listener cannot leave either behind.
      progress(true);
    }
    return result;
  }

  /** The run a slice continues (while it is still running), or a new one. */
  private async sliceRun(connectionId: string, stream: string, slice: SyncSlice | undefined) {
    const { store } = this.deps;
    if (slice?.runId) {
      const open = await store.syncRuns.get(slice.runId);
      if (open && open.status === "running" && open.connection_id === connectionId && open.stream === stream) return open;
    }
    return store.syncRuns.create(connectionId, stream);
  }

  /** Takes the stream lock; a lock left by a killed process on this machine is taken over. */
  private async takeLock(connectionId: string, stream: string, owner: string, ttlMs: number): Promise<void> {
    const { store } = this.deps;
    if (await store.streamLocks.tryLock(connectionId, stream, owner, ttlMs)) return;
    const held = await store.streamLocks.owner(connectionId, stream);
    if (held !== undefined && ownerIsDead(held)) {
      await store.streamLocks.unlock(connectionId, stream, held);
      for (const stale of await store.syncRuns.list({ connectionId, stream, status: "running" })) {
        await store.syncRuns.finish(stale.id, "failed", "interrupted", "the host running this sync stopped");
      }
      if (await store.streamLocks.tryLock(connectionId, stream, owner, ttlMs)) return;
    }
    throw new StreamLockedError(connectionId, stream);
  }
}
