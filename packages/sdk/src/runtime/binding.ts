// The host binding: every SDK call is delegated to the binding installed at run time.
// The test runtime binds in-process mocks; the host binds a worker-thread bridge whose
// main thread performs the real I/O. Calls are synchronous by design.
import type { ConnectorManifest } from "../manifest/schema.js";
import type { EntityKind } from "../entities/registry.js";
import type { IngestItem, IngestResult } from "../policy/ingest.js";
import { NoHostBoundError } from "./errors.js";

export type HttpMethod = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";

export type HttpRequestSpec = {
  method: HttpMethod;
  /** Absolute URL, query already applied. */
  url: string;
  headers: Record<string, string>;
  /** A JSON value (sent as application/json) or a string sent as-is. */
  body?: unknown;
  timeoutMs?: number;
  auth?: { oauth?: OAuthHttpAuth };
};

/**
 * How the host attaches the token: by default `Authorization: Bearer <token>`; a provider
 * with its own header wants e.g. `{ header: "X-Acme-Access-Token", scheme: null }` (the bare token).
 */
export type OAuthHttpAuth = { minTtlSeconds?: number; header?: string; scheme?: string | null };

/** The header name and value `auth.oauth` attaches, shared by every binding. */
export function oauthAuthHeader(auth: OAuthHttpAuth, token: string): [string, string] {
  const scheme = auth.scheme === undefined ? "Bearer" : auth.scheme;
  return [auth.header ?? "Authorization", scheme ? `${scheme} ${token}` : token];
}

// `any` by default so route code can read provider JSON as the owner's guide does
// (response.body.data.shop): the guide is the contract. Connector code names the shape instead
// (`Http.get<OrdersPage>(...)`, or `Http.get<unknown>` and a zod schema) so no untyped value flows on.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type HttpResponse<T = any> = {
  status: number;
  ok: boolean;
  headers: Record<string, string>;
  /** JSON parsed when the content type says JSON, else text. */
  body: T;
};

export type AccessTokenOptions = { minTtlSeconds?: number };

export type LogLevel = "debug" | "info" | "warn" | "error";

export type CheckpointState = Record<string, unknown>;

export type CheckpointOptions = {
  /** More pages follow: the host calls the route again. */
  hasMore: boolean;
  /**
   * Ask the host to wait this long before the next page: a page committed part-way because
   * the provider throttled (the rest needs the rate limit to recover). Capped by the host.
   */
  pauseSeconds?: number;
};

export type RecordsRedaction = {
  kind?: EntityKind;
  /** Redact records of this canonical customer id (the customer and their receipts). */
  customerId?: string;
  /** Redact receipts and refunds of these canonical receipt ids (refunds link by receipt_id). */
  receiptIds?: string[];
  /** Redact records with these idempotency keys. */
  idempotencyKeys?: string[];
  /** Redact every record of the connection (a provider's shop/redact compliance webhook). */
  all?: boolean;
};

export type ConnectionStatusChange = { status: "revoked"; reason: string };

/** Non-secret facts about the connection a route runs for. */
export type ConnectionInfo = {
  connectionId: string;
  connectorKey: string;
  /** The provider account the connection was authorized for (postConnect's providerAccountId). */
  providerAccountId?: string | undefined;
  providerAccountName?: string | undefined;
};

/** A download as it reaches the binding (Files.download), options checked by policy/files.ts. */
export type FileDownloadSpec = {
  url: string;
  /** The manifest stream the file belongs to: removed when that stream's sync ends. */
  stream: string;
  maxBytes: number;
  headers: Record<string, string>;
  /** The whole download's deadline. */
  timeoutMs: number;
  auth?: { oauth?: OAuthHttpAuth };
};

/** What a finished download stored: only metadata crosses to the route, never the body. */
export type DownloadedFile = { fileId: string; bytes: number; sha256: string };

export type ReadLinesOptions = { offset: number; maxLines: number; maxBytes: number };

/** Whole lines from `offset` (line endings removed); `nextOffset` is what a checkpoint stores. */
export type FileLines = { lines: string[]; nextOffset: number; eof: boolean };

export interface HostBinding {
  readonly manifest: ConnectorManifest;
  getSetting(name: string): unknown;
  getSecret(name: string): string | undefined;
  accessToken(opts: AccessTokenOptions): string;
  http(request: HttpRequestSpec): HttpResponse;
  ingest(kind: EntityKind, items: IngestItem[], opts: { stream?: string; continueOnError: boolean }): IngestResult;
  getCheckpoint(stream: string): CheckpointState | undefined;
  setCheckpoint(stream: string, state: CheckpointState, opts: CheckpointOptions): void;
  log(level: LogLevel, message: string, fields?: Record<string, unknown>): void;
  redactRecords(selector: RecordsRedaction): { redacted: number };
  setConnectionStatus(change: ConnectionStatusChange): void;
  /** Optional for bindings written before it existed; Connection.info() says when it is missing. */
  connectionInfo?(): ConnectionInfo;
  /**
   * Stages provider deletions (tombstones with the deletion time), committed with the page.
   * Optional for bindings written before it existed; Records.delete says when it is missing.
   */
  deleteRecords?(kind: EntityKind, deletions: ValidatedDeletion[], opts: { stream?: string }): { staged: number };
  /** True when any of `deliveryIds` was processed (committed) for this connection within the retention window. */
  webhookDeliveryProcessed?(deliveryIds: string[]): boolean;
  /** Stages `deliveryIds` as processed: committed with the route's other writes, only when it answers 2xx. */
  markWebhookDeliveryProcessed?(deliveryIds: string[]): void;
  /** Streams a provider file to host storage (Files.download); optional for older bindings. */
  downloadFile?(spec: FileDownloadSpec): DownloadedFile;
  /** A slice of whole lines of a downloaded file (Files.readLines). */
  readFileLines?(fileId: string, opts: ReadLinesOptions): FileLines;
  /** Deletes a downloaded file now (Files.remove); true when it existed. */
  removeFile?(fileId: string): boolean;
}

export type { ValidatedDeletion } from "../policy/commit.js";
import type { ValidatedDeletion } from "../policy/commit.js";

const BINDING_KEY = Symbol.for("backfill.sdk.binding");
type GlobalWithBinding = typeof globalThis & { [BINDING_KEY]?: HostBinding | undefined };

/**
 * Installs a binding. Kept on globalThis so that two copies of the SDK in one
 * process (e.g. a test importing source and a route importing dist) share it.
 */
export function bindHost(binding: HostBinding): () => void {
  const g = globalThis as GlobalWithBinding;
  const previous = g[BINDING_KEY];
  g[BINDING_KEY] = binding;
  return () => {
    g[BINDING_KEY] = previous;
  };
}

export function currentBinding(call: string): HostBinding {
  const binding = (globalThis as GlobalWithBinding)[BINDING_KEY];
  if (!binding) throw new NoHostBoundError(call);
  return binding;
}

export function isHostBound(): boolean {
  return !!(globalThis as GlobalWithBinding)[BINDING_KEY];
}
