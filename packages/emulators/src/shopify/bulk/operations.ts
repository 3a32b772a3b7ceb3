// Bulk query operations of the emulated shops: created by bulkOperationRunQuery, processed
// at a configurable rate (objects a second, from the emulator's clock), at most
// `maxConcurrent` running per shop and app (Shopify allows 5 from API 2026-01), and their
// JSONL served from a storage origin on a signed URL that expires. Faults make a job fail
// part-way (FAILED with partialDataUrl), run too long, or hand out an already expired URL.
import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import type { DocumentNode, GraphQLSchema } from "graphql";
import type { GraphQLContext } from "../graphql/resolvers.js";
import { bulkQueryPages } from "./jsonl.js";
import type { BulkUserError } from "./validate.js";

export const BULK_STORAGE_HOST = "storage.googleapis.com";
export const BULK_STORAGE_BUCKET = "shopify-tagging-bulk-ops";
/** Shopify keeps results for 7 days: the signed URL lives as long. */
export const BULK_URL_TTL_S = 7 * 86_400;
export const DEFAULT_BULK_OBJECTS_PER_SECOND = 5_000;
export const DEFAULT_BULK_MAX_CONCURRENT = 5;

export type BulkStatus = "CREATED" | "RUNNING" | "COMPLETED" | "FAILED" | "CANCELING" | "CANCELED" | "EXPIRED";
export type BulkErrorCode = "ACCESS_DENIED" | "INTERNAL_SERVER_ERROR" | "TIMEOUT";

/** One injected misbehaviour for the next operation created (tests and demos). */
export type BulkFault =
  /** Fails with INTERNAL_SERVER_ERROR after this fraction of its objects; the part written is at partialDataUrl. */
  | { kind: "fail_partway"; fraction: number }
  /** Processes this many objects a second instead of the configured rate. */
  | { kind: "slow"; objectsPerSecond: number }
  /** The result URL it hands out has already expired. */
  | { kind: "expired_url" };

export interface BulkOptions {
  objectsPerSecond?: number;
  maxConcurrent?: number;
}

export interface BulkOperationRecord {
  id: string;
  shop: string;
  clientId: string;
  query: string;
  createdAt: number;
  /** The result so far: the snapshot is taken a page at a time after the mutation answers. */
  lines: string[];
  rootObjectCount: number;
  snapshotDone: boolean;
  objectsPerSecond: number;
  /** The fraction of its objects after which the job fails, or null. */
  failFraction: number | null;
  urlExpired: boolean;
  canceledAt: number | null;
  finishNotified: boolean;
}

export type BulkOperationView = {
  id: string;
  status: BulkStatus;
  errorCode: BulkErrorCode | null;
  createdAt: string;
  completedAt: string | null;
  objectCount: string;
  rootObjectCount: string;
  fileSize: string | null;
  url: string | null;
  partialDataUrl: string | null;
  query: string;
  type: "QUERY";
};

const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");

export class BulkOperations {
  readonly operations = new Map<string, BulkOperationRecord>();
  readonly objectsPerSecond: number;
  readonly maxConcurrent: number;
  private readonly faults: BulkFault[] = [];
  private readonly signingKey = randomBytes(32);
  private nextId = 720_918;
  /** Slots taken by other apps' jobs, per shop (Shopify counts per app; this models a shop-wide queue). */
  private readonly heldSlots = new Map<string, number>();
  /** bulk_operations/finish subscriptions: shop → callback URL. */
  readonly finishSubscriptions = new Map<string, string>();

  constructor(
    private readonly now: () => number,
    options: BulkOptions = {},
  ) {
    this.objectsPerSecond = options.objectsPerSecond ?? DEFAULT_BULK_OBJECTS_PER_SECOND;
    this.maxConcurrent = options.maxConcurrent ?? DEFAULT_BULK_MAX_CONCURRENT;
  }

  /** The next operations created misbehave as listed, one fault each. */
  injectFaults(...faults: BulkFault[]): void {
    this.faults.push(...faults);
  }

  /** Another app's jobs hold `count` of the shop's slots until released (count 0). */
  holdSlots(shop: string, count: number): void {
    this.heldSlots.set(shop, count);
  }

  private running(shop: string, clientId: string): BulkOperationRecord[] {
    return [...this.operations.values()].filter((op) => op.shop === shop && op.clientId === clientId && !this.finished(op));
  }

  create(
    schema: GraphQLSchema,
    document: DocumentNode,
    query: string,
    root: Record<string, unknown>,
    ctx: GraphQLContext,
  ): { operation: BulkOperationView | null; userErrors: BulkUserError[] } {
    const shop = ctx.shop.handle;
    const busy = this.running(shop, ctx.token.clientId).length + (this.heldSlots.get(shop) ?? 0);
    if (busy >= this.maxConcurrent) {
      return {
        operation: null,
        userErrors: [{ field: null, message: "A bulk query operation for this app and shop is already in progress. Try again later.", code: "OPERATION_IN_PROGRESS" }],
      };
    }
    const fault = this.faults.shift();
    const id = `gid://shopify/BulkOperation/${this.nextId++}`;
    const record: BulkOperationRecord = {
      id,
      shop,
      clientId: ctx.token.clientId,
      query,
      createdAt: this.now(),
      lines: [],
      rootObjectCount: 0,
      snapshotDone: false,
      objectsPerSecond: fault?.kind === "slow" ? fault.objectsPerSecond : this.objectsPerSecond,
      failFraction: fault?.kind === "fail_partway" ? fault.fraction : null,
      urlExpired: fault?.kind === "expired_url",
      canceledAt: null,
      finishNotified: false,
    };
    this.operations.set(id, record);
    this.snapshots.add(this.snapshot(record, bulkQueryPages(schema, document, root, ctx)));
    return { operation: this.view(record), userErrors: [] };
  }

  private readonly snapshots = new Set<Promise<void>>();

  /** Takes the job's result a page at a time, yielding to the event loop between pages. */
  private async snapshot(op: BulkOperationRecord, pages: Generator<{ lines: string[]; rootObjects: number }>): Promise<void> {
    try {
      for (const page of pages) {
        for (const line of page.lines) op.lines.push(line);
        op.rootObjectCount += page.rootObjects;
        await new Promise<void>((resolve) => setImmediate(resolve));
      }
    } catch (error) {
      // As Shopify reports a job it could not run: FAILED with INTERNAL_SERVER_ERROR, no data.
      console.error(`[shopify-emulator] bulk snapshot failed: ${(error as Error).message}`);
      op.lines = [];
      op.failFraction = 0;
    }
    op.snapshotDone = true;
  }

  /** Resolves when every job's snapshot is taken (tests with a frozen clock wait for it). */
  async settled(): Promise<void> {
    while (this.snapshots.size) {
      const all = [...this.snapshots];
      await Promise.all(all);
      for (const p of all) this.snapshots.delete(p);
    }
  }

  get(id: string, shop: string, clientId: string): BulkOperationRecord | undefined {
    const op = this.operations.get(id);
    return op && op.shop === shop && op.clientId === clientId ? op : undefined;
  }

  /** The app's most recent query operation in the shop. */
  current(shop: string, clientId: string): BulkOperationRecord | undefined {
    return [...this.operations.values()].filter((op) => op.shop === shop && op.clientId === clientId).at(-1);
  }

  cancel(op: BulkOperationRecord): BulkUserError[] {
    if (this.finished(op)) return [{ field: null, message: `A bulk operation cannot be canceled when it is ${this.status(op).status.toLowerCase()}`, code: "INVALID" }];
    op.canceledAt = this.now();
    return [];
  }

  /** Objects processed so far. */
  private processed(op: BulkOperationRecord, at: number): number {
    const end = op.canceledAt ?? at;
    return Math.min(op.lines.length, Math.floor(((end - op.createdAt) / 1000) * op.objectsPerSecond));
  }

  status(op: BulkOperationRecord): { status: BulkStatus; objects: number; errorCode: BulkErrorCode | null; completedAt: number | null } {
    const at = this.now();
    const objects = this.processed(op, at);
    const doneAt = (count: number) => op.createdAt + Math.ceil((count / op.objectsPerSecond) * 1000);
    if (op.canceledAt !== null) return { status: "CANCELED", objects, errorCode: null, completedAt: op.canceledAt };
    if (!op.snapshotDone) return { status: objects === 0 && at === op.createdAt ? "CREATED" : "RUNNING", objects, errorCode: null, completedAt: null };
    const failAt = op.failFraction === null ? null : Math.floor(op.lines.length * op.failFraction);
    if (failAt !== null && objects >= failAt) return { status: "FAILED", objects: failAt, errorCode: "INTERNAL_SERVER_ERROR", completedAt: doneAt(failAt) };
    if (objects >= op.lines.length) return { status: "COMPLETED", objects, errorCode: null, completedAt: doneAt(op.lines.length) };
    return { status: objects === 0 && at === op.createdAt ? "CREATED" : "RUNNING", objects, errorCode: null, completedAt: null };
  }

  finished(op: BulkOperationRecord): boolean {
    const s = this.status(op).status;
    return s === "COMPLETED" || s === "FAILED" || s === "CANCELED";
  }

  /** The lines a file of `op` holds: all when completed, the part written when it failed. */
  fileLines(op: BulkOperationRecord, kind: "data" | "partial"): string[] | undefined {
    const s = this.status(op);
    if (kind === "data" && s.status === "COMPLETED") return op.lines;
    if (kind === "partial" && s.status === "FAILED") return op.lines.slice(0, s.objects);
    return undefined;
  }

  private signature(path: string, expires: number): string {
    return createHmac("sha256", this.signingKey).update(`${path}\n${expires}`).digest("hex");
  }

  /** A V4-style signed URL on the storage host; `expired` hands out one already past its time. */
  private signedUrl(op: BulkOperationRecord, kind: "data" | "partial", completedAt: number): string {
    const number = op.id.split("/").at(-1)!;
    const path = `/${BULK_STORAGE_BUCKET}/${number}/bulk-${number}${kind === "partial" ? "-partial" : ""}.jsonl`;
    const signedAt = op.urlExpired ? completedAt - (BULK_URL_TTL_S + 60) * 1000 : completedAt;
    const date = new Date(signedAt)
      .toISOString()
      .replace(/[-:]/g, "")
      .replace(/\.\d{3}/, "");
    const expires = Math.floor(signedAt / 1000) + BULK_URL_TTL_S;
    const query = new URLSearchParams({
      "X-Goog-Algorithm": "GOOG4-RSA-SHA256",
      "X-Goog-Date": date,
      "X-Goog-Expires": String(BULK_URL_TTL_S),
      "X-Goog-SignedHeaders": "host",
      "X-Goog-Signature": `${this.signature(path, expires)}.${expires}`,
    });
    return `https://${BULK_STORAGE_HOST}${path}?${query.toString()}`;
  }

  /** The operation a storage request names, if its signature is good; `expired` when it is past its time. */
  resolveFile(path: string, signature: string | undefined): { op: BulkOperationRecord; kind: "data" | "partial" } | "expired" | undefined {
    const m = new RegExp(`^/${BULK_STORAGE_BUCKET}/(\\d+)/bulk-(\\d+)(-partial)?\\.jsonl$`).exec(path);
    if (!m || m[1] !== m[2] || !signature) return undefined;
    const [sig, expiresText] = signature.split(".");
    const expires = Number(expiresText);
    if (!sig || !Number.isFinite(expires)) return undefined;
    const expected = Buffer.from(this.signature(path, expires), "hex");
    const given = Buffer.from(sig, "hex");
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
    if (this.now() / 1000 > expires) return "expired";
    const op = this.operations.get(`gid://shopify/BulkOperation/${m[1]}`);
    return op ? { op, kind: m[3] ? "partial" : "data" } : undefined;
  }

  view(op: BulkOperationRecord): BulkOperationView {
    const s = this.status(op);
    const bytes = (lines: string[]) => String(lines.reduce((n, l) => n + Buffer.byteLength(l) + 1, 0));
    const completed = s.status === "COMPLETED";
    const failedPartway = s.status === "FAILED" && s.objects > 0;
    return {
      id: op.id,
      status: s.status,
      errorCode: s.errorCode,
      createdAt: iso(op.createdAt),
      completedAt: s.completedAt === null ? null : iso(s.completedAt),
      objectCount: String(s.objects),
      rootObjectCount: String(op.rootObjectCount),
      fileSize: completed ? bytes(op.lines) : null,
      url: completed && op.lines.length > 0 ? this.signedUrl(op, "data", s.completedAt!) : null,
      partialDataUrl: failedPartway ? this.signedUrl(op, "partial", s.completedAt!) : null,
      query: op.query,
      type: "QUERY",
    };
  }

  /** bulk_operations/finish payloads due now (each once): operations finished since the last call. */
  takeFinished(): { shop: string; clientId: string; payload: Record<string, unknown> }[] {
    const due: { shop: string; clientId: string; payload: Record<string, unknown> }[] = [];
    for (const op of this.operations.values()) {
      if (op.finishNotified || !this.finished(op)) continue;
      op.finishNotified = true;
      const v = this.view(op);
      due.push({
        shop: op.shop,
        clientId: op.clientId,
        payload: {
          admin_graphql_api_id: v.id,
          completed_at: v.completedAt,
          created_at: v.createdAt,
          error_code: v.errorCode?.toLowerCase() ?? null,
          status: v.status.toLowerCase(),
          type: "query",
        },
      });
    }
    return due;
  }
}
