// A pass of a stream through Bulk Operations: one invocation does one step and commits its
// state in the checkpoint (windows, job ids, file id and byte offset), so a crash resumes
// from the last committed step: start jobs for the next windows (up to the shop's
// concurrency), poll the head window's job, download its result (no token: the signed URL
// is the credential), then read it a slice at a time, whole records only. A job that runs
// too long is cancelled and its window halved; a failed one's partial data is read and the
// rest of its window run again (one without partial data runs whole); slots taken by
// another app's jobs mean waiting. The head window is always read first, so records are
// committed in window order.
import { Checkpoint, FILE_NOT_FOUND, Files, api, log } from "@backfill-io/sdk";
import { laterOf, latestOf, mapAndIngest } from "@backfill-io/oauth-helpers";
import { AdminSession, type AdminFailure } from "../follow-ups.js";
import type { StreamState } from "../stream-state.js";
import { shopifyFailureResponse } from "../provider-failure.js";
import type { StreamSpec } from "../sync-stream.js";
import { bulkJobStatus, cancelBulkJob, startBulkJob } from "./jobs.js";
import { BulkFileError, groupLines, type BulkRecord } from "./jsonl-groups.js";
import { INITIAL_WINDOW_DAYS, MAX_JOB_MS, adaptDays, halve, nextWindow, remainderAfterPartial, startOfDay, windowSearch, type BulkWindow } from "./windows.js";

/** Concurrent bulk query jobs per shop from API 2026-01 (one before). */
export const MAX_CONCURRENT_BULK_JOBS = 5;
/** The largest result file one download may store (also permissions.files.maxBytes). */
export const BULK_FILE_MAX_BYTES = 4 * 1024 ** 3;
/** Lines per slice read from the file (a record too big for it is read with more). */
export const BULK_SLICE_LINES = 500;
/** Seconds between polls of a running job, and while another app holds the slots. */
export const BULK_POLL_SECONDS = 1;
export const BULK_SLOTS_WAIT_SECONDS = 10;

export const BULK_QUERY_REFUSED = "shopify_bulk_query_refused";
export const BULK_FILE_INVALID = "shopify_bulk_file_invalid";

export type BulkSpec<N> = {
  query: (search: string) => string;
  /** The stream's node from a record of the file (its line and its children's lines). */
  fromFile: (record: BulkRecord) => N;
  /** What the file cannot hold (an order's refunds), read by paged follow-ups: the nodes completed, in order, up to a failure. */
  completeAll?: (session: AdminSession, nodes: N[]) => { done: N[]; failure?: AdminFailure };
};

export type BulkState = {
  /** Size of the next windows created, in days. */
  days: number;
  /** Start (epoch ms, a UTC midnight) of the next window to create; null when every window exists. */
  nextFrom: number | null;
  windows: BulkWindow[];
};

export function readBulkState(raw: unknown): BulkState | undefined {
  if (!raw || typeof raw !== "object") return undefined;
  const b = raw as Partial<BulkState>;
  if (typeof b.days !== "number" || !Array.isArray(b.windows)) return undefined;
  return { days: b.days, nextFrom: typeof b.nextFrom === "number" ? b.nextFrom : null, windows: b.windows };
}

/** The bulk state of a new pass whose oldest record was updated at `oldest` (or `since`, the pass's bound). */
export function newBulkState(oldest: string): BulkState {
  return { days: INITIAL_WINDOW_DAYS, nextFrom: startOfDay(Date.parse(oldest)), windows: [] };
}

type Step = { state: BulkState; highWater: string | null; pauseSeconds?: number; report: Record<string, unknown> };

function commit<D, N>(spec: StreamSpec<D, N>, pass: StreamState, step: Step): Response {
  const done = step.state.windows.length === 0 && step.state.nextFrom === null;
  const highWater = laterOf(pass.highWater ?? undefined, step.highWater ?? undefined) ?? null;
  const next: StreamState = done ? { cursor: null, since: null, highWater } : { ...pass, highWater, bulk: step.state };
  Checkpoint.set(spec.stream, next, { hasMore: !done, ...(step.pauseSeconds && !done ? { pauseSeconds: step.pauseSeconds } : {}) });
  return api.json({ stream: spec.stream, mode: "bulk", ...step.report, hasMore: !done });
}

/** Commits a new bulk pass before any job starts (the count and the oldest record read). */
export function commitPlannedPass<D, N>(spec: StreamSpec<D, N>, pass: StreamState, state: BulkState): Response {
  return commit(spec, pass, { state, highWater: null, report: { step: "planned", windowDays: state.days } });
}

/**
 * Starts the job of the next window without one, if the shop has a slot: one job per
 * invocation, committed at once, so a later failure in the same invocation never loses a
 * job id (the job would hold a slot for nothing).
 */
function startNextJob<N>(session: AdminSession, bulk: BulkSpec<N>, state: BulkState, now: number): { failure?: Response; slotsTaken?: true; started?: BulkWindow } {
  const running = state.windows.filter((w) => w.jobId && !w.fileId).length;
  if (running >= MAX_CONCURRENT_BULK_JOBS) return {};
  let window = state.windows.find((w) => !w.jobId && !w.fileId);
  if (!window && state.nextFrom !== null && state.windows.length < MAX_CONCURRENT_BULK_JOBS) {
    window = nextWindow(state.nextFrom, state.days, now);
    state.nextFrom = window.to ? Date.parse(window.to) : null;
    state.windows.push(window);
  }
  if (!window) return {};
  const outcome = startBulkJob(session, bulk.query(windowSearch(window)));
  if (outcome.kind === "slots_taken") {
    log.info("bulk job waits: the shop's bulk slots are taken", { reason: outcome.message });
    return { slotsTaken: true };
  }
  if (outcome.kind === "refused") {
    return { failure: api.error("Shopify refused the bulk query", { status: 502, code: BULK_QUERY_REFUSED, details: { messages: outcome.messages } }) };
  }
  if (outcome.kind !== "started") return { failure: shopifyFailureResponse(outcome) };
  window.jobId = outcome.id;
  window.startedAt = now;
  return { started: window };
}

/** Reads the next slice of the head window's file: whole records, completed and ingested. */
function readSlice<D, N>(
  spec: StreamSpec<D, N>,
  bulk: BulkSpec<N>,
  session: AdminSession,
  window: BulkWindow & { fileId: string },
): { failure?: Response; nodes: N[]; eof: boolean; pauseSeconds?: number } {
  let maxLines = BULK_SLICE_LINES;
  for (;;) {
    const slice = Files.readLines(window.fileId, { offset: window.offset ?? 0, maxLines, maxBytes: 16 * 1024 * 1024 });
    let grouped: ReturnType<typeof groupLines>;
    try {
      // A partial file stops where the job failed, maybe inside a record: its last record is never taken as whole.
      grouped = groupLines(slice.lines, window.offset ?? 0, slice.eof && !window.partial);
    } catch (error) {
      if (!(error instanceof BulkFileError)) throw error;
      return { failure: api.error(error.message, { status: 502, code: BULK_FILE_INVALID }), nodes: [], eof: false };
    }
    if (grouped.records.length === 0 && !slice.eof) {
      // One record longer than the slice: read it with more lines.
      maxLines = Math.min(maxLines * 4, 100_000);
      continue;
    }
    const read = grouped.records.map((record) => bulk.fromFile(record));
    const { done: nodes, failure } = bulk.completeAll ? bulk.completeAll(session, read) : { done: read };
    if (failure) {
      if (failure.kind === "auth_failed" || nodes.length === 0) return { failure: shopifyFailureResponse(failure, spec.stream), nodes: [], eof: false };
      // Commit what is complete; the rest is read again after a short wait (throttled, or a passing failure).
      window.offset = grouped.records[nodes.length]!.start;
      if (window.partial) notePartialProgress(window, nodes.map(spec.updatedAt));
      return { nodes, eof: false, pauseSeconds: failure.kind === "throttled" ? failure.retryAfterSeconds : BULK_POLL_SECONDS };
    }
    window.offset = grouped.resumeOffset;
    if (window.partial) notePartialProgress(window, nodes.map(spec.updatedAt));
    return { nodes, eof: slice.eof };
  }
}

/** Tracks how far a partial file (sorted by updated_at) has been read, and whether it kept that order. */
function notePartialProgress(window: BulkWindow, updatedAts: string[]): void {
  for (const at of updatedAts) {
    if (window.readUpTo && Date.parse(at) < Date.parse(window.readUpTo)) window.unordered = true;
    else window.readUpTo = at;
  }
}

type SdkError = { code?: unknown; details?: { status?: unknown } };

/** The storage host refused the signed URL (expired, or not valid any more): a new job gives a new one. */
function refusedUrlStatus(error: unknown): number | undefined {
  const e = error as SdkError;
  const status = e?.details?.status;
  return e?.code === "http_error" && typeof status === "number" && status >= 400 && status < 500 ? status : undefined;
}

/** The downloaded file is gone (purged after 7 days, or the host lost it): the window runs again. */
const isFileGone = (error: unknown) => (error as SdkError)?.code === FILE_NOT_FOUND;

function restartWindow(window: BulkWindow): void {
  for (const key of ["jobId", "startedAt", "fileId", "offset", "partial", "readUpTo", "unordered"] as const) delete window[key];
}

type DownloadOutcome = { ok: true; bytes: number } | { ok: false; httpStatus: number };

/** Stores the job's result file (or partial file) for the head window. No auth: the signed URL is the credential, and the token must never reach the storage host. */
function downloadResult(stream: string, window: BulkWindow, url: string, partial: boolean): DownloadOutcome {
  let file: { fileId: string; bytes: number };
  try {
    file = Files.download(url, { stream, maxBytes: BULK_FILE_MAX_BYTES });
  } catch (error) {
    const refused = refusedUrlStatus(error);
    if (refused === undefined) throw error;
    return { ok: false, httpStatus: refused };
  }
  window.fileId = file.fileId;
  window.offset = 0;
  if (partial) window.partial = true;
  return { ok: true, bytes: file.bytes };
}

/** One step of a bulk pass for `spec` (the checkpoint holds `pass`, with its bulk state). */
export function bulkStep<D, N>(spec: StreamSpec<D, N>, bulk: BulkSpec<N>, pass: StreamState, state: BulkState, now = Date.now()): Response {
  const session = new AdminSession();
  const starting = startNextJob(session, bulk, state, now);
  if (starting.failure) return starting.failure;
  if (starting.started) {
    return commit(spec, pass, { state, highWater: null, report: { step: "started", from: starting.started.from, to: starting.started.to, jobId: starting.started.jobId } });
  }
  const head = state.windows[0];
  if (!head) return commit(spec, pass, { state, highWater: null, report: { step: "done" } });
  const where = { from: head.from, to: head.to };

  if (head.fileId) {
    let read: ReturnType<typeof readSlice<D, N>>;
    try {
      read = readSlice(spec, bulk, session, head as BulkWindow & { fileId: string });
    } catch (error) {
      if (!isFileGone(error)) throw error;
      log.warn("bulk result file is gone; the window runs again", { stream: spec.stream, ...where });
      restartWindow(head);
      return commit(spec, pass, { state, highWater: null, report: { step: "restart", ...where, reason: "file_not_found" } });
    }
    if (read.failure) return read.failure;
    const ingested = mapAndIngest(spec.kind, spec.stream, read.nodes, spec.nodeId, spec.toRecords);
    const partial = head.partial === true;
    if (read.eof) {
      Files.remove(head.fileId);
      // After a partial file, the rest of its window runs as a new job; after a whole file, the window is done.
      if (partial) state.windows.splice(0, 1, remainderAfterPartial(head));
      else state.windows.shift();
    }
    return commit(spec, pass, {
      state,
      highWater: latestOf(read.nodes.map(spec.updatedAt)) ?? null,
      ...(read.pauseSeconds ? { pauseSeconds: read.pauseSeconds } : {}),
      report: { step: "read", ...where, fetched: read.nodes.length, ...ingested, offset: head.offset, eof: read.eof, ...(partial ? { partial } : {}) },
    });
  }

  if (!head.jobId) {
    return commit(spec, pass, { state, highWater: null, pauseSeconds: BULK_SLOTS_WAIT_SECONDS, report: { step: "waiting_for_slot", ...where } });
  }

  const polled = bulkJobStatus(session, head.jobId);
  if (polled.kind !== "data") return shopifyFailureResponse(polled, spec.stream);
  const job = polled.data.bulkOperation;
  const report = { ...where, jobId: head.jobId, status: job?.status ?? "GONE", objectCount: Number(job?.objectCount ?? 0) };
  if (job?.status === "FAILED" && job.partialDataUrl && report.objectCount > 0) {
    // Shopify keeps what a failed job wrote: read it, then run only the rest of the window.
    const downloaded = downloadResult(spec.stream, head, job.partialDataUrl, true);
    if (downloaded.ok) {
      log.warn("bulk job failed part-way; its partial data is read, then the rest of the window runs", { stream: spec.stream, ...report, errorCode: job.errorCode ?? null });
      return commit(spec, pass, { state, highWater: null, report: { step: "downloaded", ...report, bytes: downloaded.bytes, partial: true } });
    }
    log.warn("bulk partial data URL refused by the storage host; the window runs again", { stream: spec.stream, ...report, httpStatus: downloaded.httpStatus });
    restartWindow(head);
    return commit(spec, pass, { state, highWater: null, report: { step: "restart", ...report, reason: "url_refused" } });
  }
  if (!job || job.status === "FAILED" || job.status === "CANCELED" || job.status === "EXPIRED") {
    // Run the window again: records are keyed, so what an earlier job wrote is not duplicated.
    log.warn("bulk job ended without a result; the window runs again", { stream: spec.stream, ...report, errorCode: job?.errorCode ?? null });
    restartWindow(head);
    return commit(spec, pass, { state, highWater: null, report: { step: "restart", ...report } });
  }
  if (job.status === "COMPLETED") {
    state.days = adaptDays(state.days, now - (head.startedAt ?? now));
    if (!job.url) {
      state.windows.shift();
      return commit(spec, pass, { state, highWater: null, report: { step: "empty", ...report } });
    }
    const downloaded = downloadResult(spec.stream, head, job.url, false);
    if (!downloaded.ok) {
      log.warn("bulk result URL refused by the storage host; the window runs again", { stream: spec.stream, ...report, httpStatus: downloaded.httpStatus });
      restartWindow(head);
      return commit(spec, pass, { state, highWater: null, report: { step: "restart", ...report, reason: "url_refused" } });
    }
    return commit(spec, pass, { state, highWater: null, report: { step: "downloaded", ...report, bytes: downloaded.bytes } });
  }
  if (now - (head.startedAt ?? now) > MAX_JOB_MS) {
    const halves = halve(head, now);
    if (halves) {
      const cancelled = cancelBulkJob(session, head.jobId);
      if (cancelled.kind !== "data") return shopifyFailureResponse(cancelled, spec.stream);
      log.warn("bulk job ran too long: cancelled, its window halved", { stream: spec.stream, ...report });
      state.windows.splice(0, 1, ...halves);
      state.days = Math.max(1, Math.floor(state.days / 2));
      return commit(spec, pass, { state, highWater: null, report: { step: "resliced", ...report } });
    }
  }
  return commit(spec, pass, { state, highWater: null, pauseSeconds: BULK_POLL_SECONDS, report: { step: "running", ...report } });
}
