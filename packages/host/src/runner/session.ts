// One route invocation on the main thread: answers the worker's SDK calls, enforcing
// the manifest with the SDK policy functions, and stages the writes.
import { deserialize } from "node:v8";
import {
  BackfillError,
  HOST_CAPABILITY_MISSING,
  HOST_ERROR,
  INVOCATION_ENDED,
  UNKNOWN_HOST_CALL,
  isBackfillErrorCode,
  type AccessTokenOptions,
  type CheckpointState,
  type CheckpointOptions,
  type ConnectionStatusChange,
  type EntityKind,
  type LogLevel,
  type RecordsRedaction,
  type Redactor,
} from "@backfill-io/sdk";
import type { ReadLinesOptions } from "@backfill-io/sdk";
import type { FileDownloadSpec, HttpRequestSpec } from "@backfill-io/sdk/host";
import { checkFileAccess, checkReadLinesOptions } from "@backfill-io/sdk/policy";
import {
  assertEntityWritable,
  assertSecretReadable,
  assertSettingReadable,
  checkCheckpointSet,
  checkDeliveryIds,
  canonicalPayload,
  checkIngestCall,
  checkValidatedDeletions,
  type IngestItem,
} from "@backfill-io/sdk/policy";
import type { BridgeCall, BridgeError, DeferredCall, DeferredMethod } from "./protocol.js";
import { performHttpForBridge, type HttpLimits, type HttpTransport } from "./http.js";
import type { ConnectionServices, RouteLogEntry } from "./services.js";
import { emptyStaged, type StagedCheckpoint, type StagedWrites } from "./staging.js";
import { stagedPause } from "./follow-on.js";

/** The calls a route may batch (protocol.ts DeferredMethod); anything else in a batch is refused. */
const DEFERRED_METHODS: ReadonlySet<unknown> = new Set<DeferredMethod>(["setCheckpoint", "log", "ingest"]);

export class RouteSession {
  readonly staged: StagedWrites = emptyStaged();
  readonly logs: RouteLogEntry[] = [];
  /** The grant of the last token handed to the route (ConnectionServices.accessTokenGrant), if any. */
  grant: string | undefined;
  private closed = false;
  /** The invocation's deadline, paused while a download runs (set by the runner). */
  deadline: { pause(): void; resume(): void } | undefined;
  /** Aborts this invocation's unfinished downloads when it ends; made by the first download (an abort costs a DOMException, every page paid it). */
  private ended: AbortController | undefined;

  constructor(
    private readonly services: ConnectionServices,
    private readonly transport: HttpTransport,
    private readonly limits: HttpLimits,
    private readonly redactor: Redactor,
    /** The checkpoint states that travelled with the invocation (RunRouteRequest.checkpoints): a call for one is answered the same. */
    private readonly knownCheckpoints: Record<string, CheckpointState | undefined> = {},
  ) {}

  /** After close, late calls (from a timed-out worker) are refused and stage nothing. */
  close(): void {
    this.closed = true;
    this.ended?.abort();
  }

  /** One call from the route, after the batched calls it carries (in the order the route made them). */
  async handle(call: BridgeCall): Promise<unknown> {
    if (call.deferred) await this.runDeferred(call.deferred);
    return this.answer(call);
  }

  /**
   * The batched calls, one after another, each checked as if it had come alone. The route's
   * side already checked them with the same policy, so one refused here came from route code
   * that went around it: the error fails the call that carried it (or the invocation).
   */
  async runDeferred(deferred: unknown): Promise<void> {
    if (!Array.isArray(deferred)) throw new BackfillError("invalid_request", "deferred calls must be an array");
    for (const d of deferred as DeferredCall[]) {
      if (!DEFERRED_METHODS.has(d?.method)) throw new BackfillError("invalid_request", `${String(d?.method)} cannot be deferred`);
      await this.answer({ id: 0, method: d.method, args: deferredArgs(d) });
    }
  }

  private async answer(call: BridgeCall): Promise<unknown> {
    if (this.closed) throw new BackfillError(INVOCATION_ENDED, `${call.method}: the route invocation has ended`);
    const a = call.args;
    switch (call.method) {
      case "getSetting":
        return this.getSetting(a[0] as string);
      case "getSecret":
        return this.getSecret(a[0] as string);
      case "accessToken":
        return this.accessToken(a[0] ?? {});
      case "http":
        return performHttpForBridge(a[0] as HttpRequestSpec, {
          manifest: this.services.manifest,
          settings: this.services.settings,
          accessToken: (opts) => this.accessToken(opts),
          transport: this.transport,
          limits: this.limits,
          redactor: this.redactor,
        });
      case "ingest":
        return this.ingest(a[0] as string, a[1] as IngestItem[], (a[2] ?? { continueOnError: false }) as { stream?: string; continueOnError: boolean });
      case "getCheckpoint":
        return Object.hasOwn(this.knownCheckpoints, a[0] as string) ? this.knownCheckpoints[a[0] as string] : this.services.committedCheckpoint(a[0] as string);
      case "setCheckpoint":
        return this.setCheckpoint(a[0] as string, a[1] as CheckpointState, a[2] as CheckpointOptions);
      case "log":
        return this.log(a[0] as LogLevel, a[1] as string, a[2] as Record<string, unknown> | undefined);
      case "redactRecords":
        return this.redactRecords(a[0] as RecordsRedaction);
      case "deleteRecords":
        return this.deleteRecords(a[0] as string, a[1], a[2] ?? {});
      case "setConnectionStatus":
        return this.setConnectionStatus(a[0] as ConnectionStatusChange);
      case "webhookDeliveryProcessed":
        return this.webhookDeliveryProcessed(a[0]);
      case "markWebhookDeliveryProcessed":
        return this.markWebhookDeliveryProcessed(a[0]);
      case "downloadFile":
        return this.downloadFile(a[0] as FileDownloadSpec);
      case "readFileLines":
        return this.readFileLines(a[0], a[1] as ReadLinesOptions);
      case "removeFile":
        return this.removeFile(a[0]);
      default:
        throw new BackfillError(UNKNOWN_HOST_CALL, `unknown host call ${String(call.method)}`);
    }
  }

  private getSetting(name: string): unknown {
    assertSettingReadable(this.services.manifest, name);
    return this.services.settings[name];
  }

  private async getSecret(name: string): Promise<string | undefined> {
    assertSecretReadable(this.services.manifest, name);
    const value = await this.services.secret(name);
    this.redactor.register(value);
    return value;
  }

  private async accessToken(opts: AccessTokenOptions): Promise<string> {
    if (!this.services.accessTokenGrant) {
      const token = await this.services.accessToken(opts);
      this.redactor.register(token);
      return token;
    }
    const { token, grant } = await this.services.accessTokenGrant(opts);
    this.redactor.register(token);
    this.grant = grant;
    return token;
  }

  private ingest(kind: string, items: IngestItem[], opts: { stream?: string; continueOnError: boolean }) {
    const { kind: entity, result, valid } = checkIngestCall(this.services.manifest, kind, items, opts.continueOnError);
    for (const item of valid) {
      this.staged.records.push({
        kind: entity,
        ...(opts.stream ? { stream: opts.stream } : {}),
        idempotencyKey: item.idempotencyKey,
        payload: item.payload,
        canonical: canonicalPayload(item.payload),
      });
    }
    this.staged.accepted += result.accepted;
    this.staged.rejected += result.rejected;
    return result;
  }

  private setCheckpoint(stream: string, state: CheckpointState, opts: CheckpointOptions): void {
    checkCheckpointSet(stream, state);
    const pause = stagedPause(opts?.pauseSeconds);
    const entry: StagedCheckpoint = { stream, state, hasMore: opts?.hasMore === true, ...(pause !== undefined ? { pauseSeconds: pause } : {}) };
    const index = this.staged.checkpoints.findIndex((c) => c.stream === stream);
    if (index >= 0) this.staged.checkpoints[index] = entry;
    else this.staged.checkpoints.push(entry);
  }

  private log(level: LogLevel, message: string, fields?: Record<string, unknown>): void {
    const entry: RouteLogEntry = this.redactor.redact({ level, message: String(message), ...(fields ? { fields } : {}), at: Date.now() });
    this.logs.push(entry);
    this.services.log?.(entry);
  }

  private deleteRecords(kind: string, deletions: unknown, opts: { stream?: string }): { staged: number } {
    const entity: EntityKind = assertEntityWritable(this.services.manifest, kind);
    // Checked again here: the worker's side of the bridge is the route's, not ours.
    const checked = checkValidatedDeletions(deletions);
    for (const d of checked) this.staged.deletions.push({ kind: entity, ...d, ...(typeof opts.stream === "string" && opts.stream ? { stream: opts.stream } : {}) });
    return { staged: checked.length };
  }

  private async redactRecords(selector: RecordsRedaction): Promise<{ redacted: number }> {
    if (!selector || typeof selector !== "object") throw new BackfillError("invalid_request", "Records.redact: a selector is required");
    this.staged.redactions.push(selector);
    return { redacted: (await this.services.countRedactable?.(selector)) ?? 0 };
  }

  private async webhookDeliveryProcessed(ids: unknown): Promise<boolean> {
    const checked = checkDeliveryIds("Webhooks.alreadyProcessed", ids);
    if (checked.some((id) => this.staged.webhookDeliveries.includes(id))) return true;
    return (await this.services.webhookDeliveryProcessed?.(checked)) ?? false;
  }

  private markWebhookDeliveryProcessed(ids: unknown): void {
    for (const id of checkDeliveryIds("Webhooks.markProcessed", ids)) if (!this.staged.webhookDeliveries.includes(id)) this.staged.webhookDeliveries.push(id);
  }

  private filesOf(call: string) {
    if (!this.services.files) throw new BackfillError(HOST_CAPABILITY_MISSING, `${call}: this Backfill host does not support files`);
    return this.services.files;
  }

  private async downloadFile(spec: FileDownloadSpec): Promise<unknown> {
    const files = this.filesOf("Files.download");
    this.deadline?.pause();
    try {
      return await this.downloadToStore(files, spec);
    } finally {
      this.deadline?.resume();
    }
  }

  private async downloadToStore(files: NonNullable<ConnectionServices["files"]>, spec: FileDownloadSpec): Promise<unknown> {
    const file = await files.download(boundedDownload(spec, this.limits.maxDownloadMs), {
      connectionId: this.services.connectionId,
      manifest: this.services.manifest,
      settings: this.services.settings,
      accessToken: (opts) => this.accessToken(opts),
      redactor: this.redactor,
      signal: (this.ended ??= new AbortController()).signal,
    });
    this.staged.downloadedFiles.push(file.fileId);
    return file;
  }

  private readFileLines(fileId: unknown, opts: ReadLinesOptions): Promise<unknown> {
    const { fileId: id } = checkFileAccess(this.services.manifest, "Files.readLines", fileId);
    return this.filesOf("Files.readLines").store.readLines(this.services.connectionId, id, checkReadLinesOptions(opts));
  }

  private removeFile(fileId: unknown): Promise<boolean> {
    const { fileId: id } = checkFileAccess(this.services.manifest, "Files.remove", fileId);
    return this.filesOf("Files.remove").store.remove(this.services.connectionId, id);
  }

  private setConnectionStatus(change: ConnectionStatusChange): void {
    if (change?.status !== "revoked") throw new BackfillError("invalid_request", "Connection: unknown status change");
    this.staged.connectionStatus = { status: "revoked", reason: String(change.reason ?? "") };
  }
}

/** A batched call's arguments (v8.serialize'd by the route's side): anything but an array of them is refused. */
function deferredArgs(call: DeferredCall): unknown[] {
  let args: unknown;
  try {
    args = call.args instanceof Uint8Array ? deserialize(call.args) : undefined;
  } catch {
    args = undefined;
  }
  if (!Array.isArray(args)) throw new BackfillError("invalid_request", `${call.method}: the batched call's arguments are unreadable`);
  return args;
}

/**
 * The download's own deadline, at most the host's: it runs outside the route timeout, so the
 * host's bound is what stops a route that asks for a download without end.
 */
function boundedDownload(spec: FileDownloadSpec, maxDownloadMs: number): FileDownloadSpec {
  return Number.isSafeInteger(spec?.timeoutMs) && spec.timeoutMs > maxDownloadMs ? { ...spec, timeoutMs: maxDownloadMs } : spec;
}

/** An error as it crosses the bridge: code kept (so `code === "reauth_required"` holds in the route), values redacted. */
export function errorToBridge(error: unknown, redactor: Redactor): BridgeError {
  const e = (error ?? {}) as { name?: unknown; code?: unknown; message?: unknown; details?: unknown; reason?: unknown; missingScopes?: unknown; fix?: unknown };
  // Only the SDK's codes cross: the route branches on them; anything else is the host's own.
  const code = isBackfillErrorCode(e.code) ? e.code : HOST_ERROR;
  let details = e.details && typeof e.details === "object" ? (e.details as Record<string, unknown>) : undefined;
  if (code === "reauth_required" && !details) {
    details = { reason: typeof e.reason === "string" ? e.reason : "missing_token", ...(Array.isArray(e.missingScopes) ? { missingScopes: e.missingScopes } : {}) };
  }
  return redactor.redact({
    ...(typeof e.name === "string" ? { name: e.name } : {}),
    code,
    message: typeof e.message === "string" ? e.message : String(error),
    ...(details ? { details } : {}),
    ...(typeof e.fix === "string" ? { fix: e.fix } : {}),
  });
}
