// What the main thread needs from the rest of the host to answer a route's SDK calls.
// Host part 1 implements it over its Store and TokenManager; tests plug in fakes.
import type { AccessTokenOptions, CheckpointState, ConnectorManifest, DownloadedFile, FileLines, LogLevel, ReadLinesOptions, RecordsRedaction, Redactor } from "@backfill-io/sdk";
import type { FileDownloadSpec } from "@backfill-io/sdk/host";
import type { HttpTransport } from "./http.js";

export type RouteLogEntry = { level: LogLevel; message: string; fields?: Record<string, unknown>; at: number };

export interface ConnectionServices {
  readonly connectionId: string;
  readonly manifest: ConnectorManifest;
  /** Validated, normalized settings (secret settings are read through `secret`). */
  readonly settings: Record<string, unknown>;
  /** The provider account the connection was authorized for, when known (Connection.info()). */
  readonly providerAccount?: { id?: string | undefined; name?: string | undefined };
  /** A secret value (a secret setting or a host-held secret), undefined when unset. */
  secret(name: string): string | undefined | Promise<string | undefined>;
  /** The connection's OAuth access token; rejects with a reauth_required error when it cannot be had. */
  accessToken(opts: AccessTokenOptions): Promise<string>;
  /**
   * The token with what identifies its grant (opaque, changes with every new token), used
   * instead of accessToken when present: the run's result names the grant the route was given
   * (RouteRunResult.grant), so a 401 can be told apart from a grant replaced meanwhile.
   */
  accessTokenGrant?(opts: AccessTokenOptions): Promise<{ token: string; grant: string }>;
  /** The stream's last committed checkpoint. */
  committedCheckpoint(stream: string): CheckpointState | undefined | Promise<CheckpointState | undefined>;
  /** How many stored records a redaction selector matches (Records.redact's answer). */
  countRedactable?(selector: RecordsRedaction): number | Promise<number>;
  /** True when any of the webhook delivery ids was already processed (Webhooks.alreadyProcessed); absent: none was. */
  webhookDeliveryProcessed?(deliveryIds: string[]): boolean | Promise<boolean>;
  /** Receives every (redacted) log line as it happens. */
  log?(entry: RouteLogEntry): void;
  /** Sends HTTP (e.g. host part 1's HostHttp with provider routing); default: undici direct. */
  transport?: HttpTransport;
  /** Downloaded provider files (Files.*); absent: the host does not support files. */
  files?: RouteFiles;
}

/** What a download needs from the invocation that asked for it. */
export type FileDownloadContext = {
  connectionId: string;
  manifest: ConnectorManifest;
  settings: Record<string, unknown>;
  /** The invocation's token path (registered with its redactor). */
  accessToken(opts: AccessTokenOptions): Promise<string>;
  redactor: Redactor;
  /** Aborted when the route invocation ends: an unfinished download stops and its partial file goes. */
  signal: AbortSignal;
};

/** The host's stored files, as the runner and the sync engine use them (the host's FileStore). */
export interface RouteFileStore {
  readLines(connectionId: string, fileId: string, opts: ReadLinesOptions): Promise<FileLines>;
  remove(connectionId: string, fileId: string): Promise<boolean>;
  removeFiles(connectionId: string, fileIds: readonly string[]): Promise<void>;
  removeStream(connectionId: string, stream: string): Promise<void>;
  purgeExpired(): Promise<number>;
}

/** Files.* as the host's wiring provides them: the store, and the streamed download into it (the spec checked by the SDK policy there). */
export interface RouteFiles {
  readonly store: RouteFileStore;
  download(spec: FileDownloadSpec, ctx: FileDownloadContext): Promise<DownloadedFile>;
}
