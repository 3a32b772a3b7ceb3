// connectorTestRuntime: runs connector routes in-process with scripted HTTP and seeded
// OAuth state. It applies the same policy functions as the host, so a test fails
// exactly where production would.
import { dirname } from "node:path";
import type { ConnectorManifest } from "../manifest/schema.js";
import {
  bindHost,
  oauthAuthHeader,
  type CheckpointState,
  type HostBinding,
  type HttpRequestSpec,
  type LogLevel,
  type RecordsRedaction,
  type ConnectionStatusChange,
} from "../runtime/binding.js";
import { ReauthRequiredError, BackfillError, type ReauthReason } from "../runtime/errors.js";
import { INVALID_SETTINGS } from "../runtime/error-codes.js";
import { assertHttpAllowed, assertRequestHeadersAllowed } from "../policy/http.js";
import { assertEntityWritable, assertSecretReadable, assertSettingReadable } from "../policy/access.js";
import { validateIngestItems, type IngestItem, type IngestResult, type ValidatedItem } from "../policy/ingest.js";
import { assertTokenHost } from "../policy/oauth-hosts.js";
import { decideAccessToken } from "../policy/token.js";
import { validateSettings } from "../policy/settings.js";
import { decideRecordCommit, decideRecordDelete, payloadHash, recordVersion, type RecordCommitDecision, type RecordDeleteDecision } from "../policy/commit.js";
import { checkDeliveryIds, isDeliveryRemembered } from "../policy/webhooks.js";
import type { EntityKind } from "../entities/registry.js";
import { defaultRedactor } from "../redaction/redactor.js";
import { isDefinedManifest, validateManifest, ManifestError } from "../manifest/define.js";
import type { ConnectorManifestInput } from "../manifest/schema.js";
import type { Route, RouteInput } from "../api/api.js";
import { HttpMock, type RecordedCall } from "./http-mock.js";
import { TestFiles } from "./files.js";
import { callerFile, findManifestFile, loadConnectorModule } from "./manifest-discovery.js";
import { ProviderRegistry } from "../providers/registry.js";
import type { ProviderPlugin } from "../providers/types.js";
import { reportLogFinding } from "./log-findings.js";

type Instant = Date | number | string;
const toMillis = (t: Instant | undefined) => (t === undefined ? undefined : t instanceof Date ? t.getTime() : typeof t === "number" ? t : Date.parse(t));

export type TestOAuthState = {
  accessToken: string | null;
  scopes?: string[];
  requiredScopes?: string[];
  provider?: string;
  /** When the access token expires (omit for a non-expiring token). */
  expiresAt?: Instant;
  refreshToken?: string | null;
  /** What a refresh yields: a new token, or a failure such as invalid_grant. */
  refresh?: { accessToken: string; refreshToken?: string; expiresAt?: Instant } | { error: string };
  /** Connection already marked by the host (e.g. revoked by app/uninstalled). */
  blockedReason?: ReauthReason;
};

export type ConnectorTestRuntimeOptions = {
  /** The manifest; default: the nearest backfill.config.ts above the test file. */
  manifest?: ConnectorManifest | ConnectorManifestInput;
  /**
   * Provider plug-ins (normalizers, token patterns) the connector runs with, as the host
   * registers them; the `providerPlugin` a discovered backfill.config.ts exports is added.
   */
  providers?: readonly ProviderPlugin[];
  /** Connection settings, validated and normalized as the host does; omitted: none, unchecked. */
  settings?: Record<string, unknown>;
  secrets?: Record<string, string>;
  connector?: { key?: string; provider?: string };
  /** The connection's identity as the host knows it after postConnect. */
  connection?: { id?: string; providerAccountId?: string; providerAccountName?: string };
  oauth?: TestOAuthState;
  checkpoints?: Record<string, CheckpointState>;
  /** Clock for token expiry and webhook delivery retention (epoch ms). */
  now?: () => number;
  /** Webhook delivery ids already processed before the test (as by an earlier delivery). */
  processedDeliveries?: string[];
};

export type LoggedLine = { level: LogLevel; message: string; fields?: Record<string, unknown> };
/** `decisions`: what committing each valid item did (policy/commit.ts), set when the route answered 2xx. */
export type IngestBatch = { kind: EntityKind; stream: string | undefined; result: IngestResult; committed: boolean; valid: ValidatedItem[]; decisions: RecordCommitDecision[] };
/** `version`: the provider's updated-at as epoch ms (the stored version older ones never replace). */
export type StoredRecord = {
  kind: EntityKind;
  idempotencyKey: string;
  payload: Record<string, unknown>;
  /** A tombstone: redacted (compliance) or deleted at the provider (then `deletedAt` is set). */
  redacted: boolean;
  version: number | null;
  payloadHash: string;
  /** When the provider deleted it (epoch ms; the commit time when the provider gave none). */
  deletedAt?: number;
};

export class ConnectorTestRuntime {
  readonly http = new HttpMock();
  readonly logs: LoggedLine[] = [];
  readonly batches: IngestBatch[] = [];
  readonly redactions: RecordsRedaction[] = [];
  readonly statusChanges: ConnectionStatusChange[] = [];
  /** Every response body and log line the runtime saw, for canary checks. */
  readonly transcript: string[] = [];
  readonly oauthState: TestOAuthState | undefined;
  refreshCount = 0;
  /** Downloaded files (Files.download), in memory: `files.ids(stream)`, `files.bytes(id)`. */
  readonly files = new TestFiles({
    manifest: () => this.requireManifest(),
    settings: () => this.settings,
    accessToken: (minTtlSeconds) => this.accessToken(minTtlSeconds),
    http: this.http,
  });
  private downloadedInCall: string[] = [];

  private manifest: ConnectorManifest | undefined;
  private readonly manifestSearch: (string | undefined)[];
  private settings: Record<string, unknown>;
  private readonly secrets: Record<string, string>;
  private readonly committedCheckpoints = new Map<string, CheckpointState>();
  private readonly stagedCheckpoints = new Map<string, { state: CheckpointState; hasMore: boolean; pauseSeconds?: number | undefined }>();
  private readonly lastHasMore = new Map<string, boolean>();
  private readonly lastPause = new Map<string, number | undefined>();
  private readonly store = new Map<string, StoredRecord>();
  /** Processed webhook delivery ids → when they committed. */
  private readonly deliveries = new Map<string, number>();
  private readonly stagedDeliveries = new Set<string>();
  private stagedDeletions: { kind: EntityKind; idempotencyKey: string; deletedAt: number | null; stream?: string }[] = [];
  /** Every committed deletion, in order, with what it did (the host's store decides the same way). */
  readonly deletions: { kind: EntityKind; idempotencyKey: string; deletedAt: number | null; decision: RecordDeleteDecision }[] = [];
  // The process-wide redactor, as in the host: api() and loggers read it too.
  private readonly redactor = defaultRedactor();
  private readonly providers = new ProviderRegistry();
  private readonly now: () => number;
  private unbind: (() => void) | undefined;
  private settingsChecked = false;

  constructor(private readonly options: ConnectorTestRuntimeOptions = {}) {
    this.oauthState = options.oauth ? { ...options.oauth } : undefined;
    this.settings = { ...(options.settings ?? {}) };
    this.secrets = { ...(options.secrets ?? {}) };
    this.now = options.now ?? Date.now;
    for (const [stream, state] of Object.entries(options.checkpoints ?? {})) this.committedCheckpoints.set(stream, state);
    for (const id of options.processedDeliveries ?? []) this.deliveries.set(id, this.now());
    const caller = callerFile();
    this.manifestSearch = [caller ? dirname(caller) : undefined, process.cwd()];
    for (const plugin of options.providers ?? []) this.useProviderPlugin(plugin);
    if (options.manifest) this.manifest = this.acceptManifest(options.manifest);
    this.redactor.register(options.oauth?.accessToken, options.oauth?.refreshToken, ...Object.values(this.secrets));
    const refresh = options.oauth?.refresh;
    if (refresh && "accessToken" in refresh) this.redactor.register(refresh.accessToken, refresh.refreshToken);
  }

  /** Registers a plug-in as the host does: its names for settings, its token shapes for the redactor. */
  private useProviderPlugin(plugin: ProviderPlugin): void {
    this.providers.register(plugin);
    this.redactor.addTokenPatterns(plugin.tokenPatterns ?? []);
  }

  private acceptManifest(input: ConnectorManifest | ConnectorManifestInput): ConnectorManifest {
    if (isDefinedManifest(input)) return input;
    const result = validateManifest(input);
    if (!result.ok) throw new ManifestError(result.problems);
    return result.manifest;
  }

  /** Loads the manifest (when not given) and checks the settings against it. */
  async ready(): Promise<ConnectorManifest> {
    if (!this.manifest) {
      const file = findManifestFile(this.manifestSearch);
      if (!file) throw new Error("connectorTestRuntime: no manifest given and no backfill.config.ts found above the test file; pass { manifest }");
      const loaded = await loadConnectorModule(file);
      if (loaded.providerPlugin) this.useProviderPlugin(loaded.providerPlugin);
      this.manifest = loaded.manifest;
    }
    // Settings given are checked as the host checks them. A test that gives none (as the
    // guide's failure snippet) is not about settings: Settings.get then reads undefined.
    if (!this.settingsChecked && this.options.settings !== undefined) {
      const checked = validateSettings(this.manifest, this.settings, { providers: this.providers });
      if (!checked.ok) {
        throw new BackfillError(INVALID_SETTINGS, `connectorTestRuntime: invalid settings: ${checked.problems.map((p) => `${p.setting} ${p.message}`).join("; ")}`);
      }
      this.settings = checked.settings;
      this.settingsChecked = true;
    }
    return this.manifest;
  }

  private requireManifest(): ConnectorManifest {
    if (!this.manifest) throw new Error("connectorTestRuntime: the manifest is loaded by runtime.call(); call SDK functions inside a route");
    return this.manifest;
  }

  install(): this {
    this.unbind?.();
    this.unbind = bindHost(this.binding());
    return this;
  }

  restore(): void {
    this.unbind?.();
    this.unbind = undefined;
  }

  /** Calls a route as the host would; staged records and checkpoints commit only on a 2xx. */
  async call(route: Route | ((input?: RouteInput) => Promise<Response>), input: RouteInput = {}): Promise<Response> {
    await this.ready();
    if (!this.unbind) this.install();
    this.stagedCheckpoints.clear();
    this.stagedDeliveries.clear();
    this.downloadedInCall = [];
    const firstBatch = this.batches.length;
    const response = await route(input);
    const text = await response.clone().text();
    this.transcript.push(text);
    const committed = response.status >= 200 && response.status < 300;
    for (const batch of this.batches.slice(firstBatch)) {
      batch.committed = committed;
      if (!committed) continue;
      batch.decisions = batch.valid.map((item) => this.commitRecord(batch.kind, item));
    }
    const deletions = this.stagedDeletions;
    this.stagedDeletions = [];
    if (committed) {
      for (const d of deletions) this.deletions.push({ ...d, decision: this.commitDeletion(d.kind, d.idempotencyKey, d.deletedAt) });
      for (const id of this.stagedDeliveries) this.deliveries.set(id, this.now());
      for (const [stream, staged] of this.stagedCheckpoints) {
        this.committedCheckpoints.set(stream, staged.state);
        this.lastHasMore.set(stream, staged.hasMore);
        this.lastPause.set(stream, staged.pauseSeconds);
      }
    }
    this.cleanUpFiles(committed);
    return response;
  }

  /**
   * As the host: a stream whose sync ended (hasMore: false committed) loses its files; a
   * failed call's downloads are unreachable (its checkpoint was not committed), so they go too.
   */
  private cleanUpFiles(committed: boolean): void {
    if (!committed) {
      const downloaded = new Set(this.downloadedInCall);
      this.files.removeWhere((id) => downloaded.has(id));
      return;
    }
    const ended = new Set([...this.stagedCheckpoints].filter(([, c]) => !c.hasMore).map(([stream]) => stream));
    this.files.removeWhere((_id, stream) => ended.has(stream));
  }

  /** Stores one record as the host's store does: the decision is the shared policy's. */
  private commitRecord(kind: EntityKind, item: ValidatedItem): RecordCommitDecision {
    const key = `${kind}:${item.idempotencyKey}`;
    const stored = this.store.get(key);
    const incoming = { payloadHash: payloadHash(item.payload), version: recordVersion(kind, item.payload) };
    const decision = decideRecordCommit(stored && { tombstoned: stored.redacted, payloadHash: stored.payloadHash, version: stored.version }, incoming);
    if (decision === "insert" || decision === "update") {
      this.store.set(key, { kind, idempotencyKey: item.idempotencyKey, payload: item.payload, redacted: false, ...incoming });
    }
    return decision;
  }

  /** Tombstones one record as the host's store does (the shared policy decides). */
  private commitDeletion(kind: EntityKind, idempotencyKey: string, deletedAt: number | null): RecordDeleteDecision {
    const key = `${kind}:${idempotencyKey}`;
    const stored = this.store.get(key);
    const decision = decideRecordDelete(stored && { tombstoned: stored.redacted, payloadHash: stored.payloadHash, version: stored.version }, deletedAt);
    const at = deletedAt ?? this.now();
    if (decision === "delete") Object.assign(stored!, { redacted: true, deletedAt: at, payload: {} });
    if (decision === "tombstone") this.store.set(key, { kind, idempotencyKey, payload: {}, redacted: true, version: deletedAt, payloadHash: "", deletedAt: at });
    return decision;
  }

  /** Webhook delivery ids committed as processed (and still remembered). */
  processedDeliveries(): string[] {
    return [...this.deliveries].filter(([, at]) => isDeliveryRemembered(at, this.now())).map(([id]) => id);
  }

  /** Committed records of a kind (upserted by idempotency key), payloads only. */
  records(kind: EntityKind): Record<string, unknown>[] {
    return [...this.store.values()].filter((r) => r.kind === kind && !r.redacted).map((r) => r.payload);
  }

  storedRecords(): StoredRecord[] {
    return [...this.store.values()];
  }

  checkpoint<T extends CheckpointState = CheckpointState>(stream: string): T | undefined {
    return this.committedCheckpoints.get(stream) as T | undefined;
  }

  hasMore(stream: string): boolean | undefined {
    return this.lastHasMore.get(stream);
  }

  /** The pause the last committed page of `stream` asked for before the next one. */
  pauseSeconds(stream: string): number | undefined {
    return this.lastPause.get(stream);
  }

  /** True when `secret` appears in any log line, response body or error seen so far. */
  leaked(secret: string): boolean {
    return this.transcript.some((t) => t.includes(secret)) || JSON.stringify(this.logs).includes(secret);
  }

  private binding(): HostBinding {
    const binding: Omit<HostBinding, "manifest"> = {
      getSetting: (name) => {
        assertSettingReadable(this.requireManifest(), name);
        return this.settings[name];
      },
      getSecret: (name) => {
        assertSecretReadable(this.requireManifest(), name);
        return this.secrets[name];
      },
      accessToken: (opts) => {
        return this.accessToken(opts.minTtlSeconds ?? 0);
      },
      http: (request) => {
        return this.performHttp(request);
      },
      ingest: (kind, items, opts) => {
        return this.ingest(kind, items, opts);
      },
      getCheckpoint: (stream) => {
        return this.committedCheckpoints.get(stream);
      },
      setCheckpoint: (stream, state, opts) => {
        this.stagedCheckpoints.set(stream, { state: structuredClone(state), hasMore: opts.hasMore, pauseSeconds: opts.pauseSeconds });
      },
      log: (level, message, fields) => {
        const raw = { level, message, ...(fields ? { fields } : {}) };
        const line = this.redactor.redact(raw);
        reportLogFinding(level, raw, line);
        this.logs.push(line);
        this.transcript.push(JSON.stringify(line));
      },
      deleteRecords: (kind, deletions, opts) => {
        const checkedKind = assertEntityWritable(this.requireManifest(), kind);
        this.stagedDeletions.push(...deletions.map((d) => ({ kind: checkedKind, ...d, ...(opts.stream ? { stream: opts.stream } : {}) })));
        return { staged: deletions.length };
      },
      redactRecords: (selector) => {
        this.redactions.push(selector);
        let redacted = 0;
        for (const record of this.store.values()) {
          if (record.redacted || (selector.kind && record.kind !== selector.kind)) continue;
          const p = record.payload;
          const hit =
            selector.all ||
            selector.idempotencyKeys?.includes(record.idempotencyKey) ||
            (selector.receiptIds !== undefined && typeof p.receipt_id === "string" && selector.receiptIds.includes(p.receipt_id)) ||
            (selector.customerId !== undefined && p.customer_id === selector.customerId);
          if (hit) {
            record.redacted = true;
            redacted++;
          }
        }
        return { redacted };
      },
      connectionInfo: () => ({
        connectionId: this.options.connection?.id ?? "test-connection",
        connectorKey: this.options.connector?.key ?? this.requireManifest().key,
        providerAccountId: this.options.connection?.providerAccountId,
        providerAccountName: this.options.connection?.providerAccountName,
      }),
      setConnectionStatus: (change) => {
        this.statusChanges.push(change);
        if (this.oauthState && change.status === "revoked") this.oauthState.blockedReason = "revoked";
      },
      webhookDeliveryProcessed: (ids) => {
        const checked = checkDeliveryIds("Webhooks.alreadyProcessed", ids);
        return checked.some((id) => this.stagedDeliveries.has(id) || this.isRemembered(id));
      },
      markWebhookDeliveryProcessed: (ids) => {
        for (const id of checkDeliveryIds("Webhooks.markProcessed", ids)) this.stagedDeliveries.add(id);
      },
      downloadFile: (spec) => {
        const file = this.files.download(spec);
        this.downloadedInCall.push(file.fileId);
        return file;
      },
      readFileLines: (fileId, opts) => this.files.readLines(fileId, opts),
      removeFile: (fileId) => this.files.remove(fileId),
    };
    // The manifest loads in call(), after install(): read it when a route asks.
    return Object.defineProperty(binding, "manifest", { get: () => this.requireManifest(), enumerable: true }) as HostBinding;
  }

  private isRemembered(id: string): boolean {
    const at = this.deliveries.get(id);
    if (at === undefined) return false;
    if (isDeliveryRemembered(at, this.now())) return true;
    this.deliveries.delete(id); // purged, as the host purges past the retention window
    return false;
  }

  private accessToken(minTtlSeconds: number): string {
    const o = this.oauthState;
    const manifest = this.requireManifest();
    if (!o) throw new ReauthRequiredError("missing_token");
    const decision = decideAccessToken(
      {
        hasAccessToken: !!o.accessToken,
        expiresAt: toMillis(o.expiresAt),
        grantedScopes: o.scopes ?? manifest.connection.oauth?.scopes ?? [],
        requiredScopes: o.requiredScopes ?? [],
        refreshEnabled: manifest.connection.oauth?.refresh.enabled ?? o.refresh !== undefined,
        hasRefreshToken: o.refreshToken !== null && (o.refreshToken !== undefined || o.refresh !== undefined),
        blockedReason: o.blockedReason,
      },
      minTtlSeconds,
      this.now(),
    );
    if (decision.action === "use") return o.accessToken!;
    if (decision.action === "reauth") throw new ReauthRequiredError(decision.reason, decision.missingScopes ? { missingScopes: decision.missingScopes } : {});
    this.refreshCount++;
    const refresh = o.refresh;
    if (!refresh || "error" in refresh) {
      o.blockedReason = "refresh_failed";
      throw new ReauthRequiredError("refresh_failed");
    }
    this.redactor.register(refresh.accessToken, refresh.refreshToken);
    o.accessToken = refresh.accessToken;
    o.expiresAt = refresh.expiresAt;
    if (refresh.refreshToken) o.refreshToken = refresh.refreshToken;
    return o.accessToken;
  }

  private performHttp(request: HttpRequestSpec) {
    const manifest = this.requireManifest();
    const url = assertHttpAllowed(request.url, manifest.permissions.http);
    assertRequestHeadersAllowed("Http", request.headers);
    const headers = { ...request.headers };
    if (request.auth?.oauth) {
      assertTokenHost(url, manifest, this.settings);
      const [name, value] = oauthAuthHeader(request.auth.oauth, this.accessToken(request.auth.oauth.minTtlSeconds ?? 0));
      headers[name] = value;
    }
    const call: RecordedCall = {
      method: request.method,
      url: url.toString(),
      body: request.body,
      opts: { headers, ...(request.timeoutMs !== undefined ? { timeoutMs: request.timeoutMs } : {}), ...(request.auth ? { auth: request.auth } : {}) },
    };
    return this.http.handle(call);
  }

  private ingest(kind: EntityKind, items: IngestItem[], opts: { stream?: string; continueOnError: boolean }): IngestResult {
    const checkedKind = assertEntityWritable(this.requireManifest(), kind);
    const { result, valid } = validateIngestItems(checkedKind, items, opts.continueOnError);
    this.batches.push({ kind: checkedKind, stream: opts.stream, result, committed: false, valid, decisions: [] });
    return result;
  }
}

export function connectorTestRuntime(options: ConnectorTestRuntimeOptions = {}): ConnectorTestRuntime {
  return new ConnectorTestRuntime(options);
}
