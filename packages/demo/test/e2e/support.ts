// Shared pieces of the end-to-end tests: the record set a sync must end with, derived from
// the emulators' own data with the connectors' rules; the stored set; a log capture that
// goes through the host's real (redacting) logger.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { pathToFileURL } from "node:url";
import { expect } from "vitest";
import { createHostLogger, type Host, type HostLogger, type SyncEngine, type SyncResult } from "@backfill-io/host";
import type { DemoEnvironment } from "../../src/environment.js";
import { shopifyGid, type MerchantData, type ShopifyShopRecord } from "@backfill-io/emulators";
import { checkRecordedDir, RECORD_DIR_ENV, type ContractReport } from "@backfill-io/emulators/square-contract";

/** Idempotency key → provider updated_at (epoch ms): what "the same record set" means here. */
export type RecordSet = Map<string, number>;

export type Expected = { customer: RecordSet; sales_receipt: RecordSet; refund_receipt: RecordSet };

const gid = (type: string, id: number) => shopifyGid(type, id);

/** connectors/shopify/src/mappers/ids.ts: keys from GIDs; every customer, order and refund. */
export function expectedShopify(shop: ShopifyShopRecord): Expected {
  const customer: RecordSet = new Map(shop.customers.map((c) => [`shopify:customer:${gid("Customer", c.id)}`, Date.parse(c.updatedAt)]));
  const sales_receipt: RecordSet = new Map(shop.orders.map((o) => [`shopify:order:${gid("Order", o.id)}`, Date.parse(o.updatedAt)]));
  const refund_receipt: RecordSet = new Map(shop.orders.flatMap((o) => o.refunds.map((r) => [`shopify:refund:${gid("Refund", r.id)}`, Date.parse(r.updatedAt)] as const)));
  return { customer, sales_receipt, refund_receipt };
}

type SquareSnapshot = MerchantData;
type SquareOrderMapper = (order: SquareSnapshot["orders"][number]) => unknown;

/** The Square connector's own order mapper (the rule deciding which orders it cannot map). */
export async function squareOrderMapper(): Promise<SquareOrderMapper> {
  const require = createRequire(import.meta.url);
  const dir = dirname(require.resolve("@backfill-io/connector-square/package.json"));
  const mod = (await import(pathToFileURL(join(dir, "src", "mappers", "order.ts")).href)) as { mapOrder: SquareOrderMapper };
  return mod.mapOrder;
}

export type SquareExpected = Expected & { skippedOrders: string[]; unsettledRefunds: string[]; draftOrders: string[] };

/**
 * The Square connector's rules, as a real merchant's data gives them: every customer still in
 * the directory (deleted and merged-away profiles are not listed); orders in OPEN, COMPLETED
 * or CANCELED that its mapper can express (the rest are skipped and logged by id), but no
 * return order (a refund's own order is not a sale); COMPLETED refunds, each linked to the sale
 * its return order names, or to none when unlinked (PENDING ones come back when they settle).
 */
export function expectedSquare(snapshot: SquareSnapshot, mapOrder: SquareOrderMapper): SquareExpected & { refundSales: Map<string, string | null> } {
  const customer: RecordSet = new Map(snapshot.customers.map((c) => [`square:customer:${c.id}`, Date.parse(c.updated_at)]));
  const sales_receipt: RecordSet = new Map();
  const skippedOrders: string[] = [];
  const draftOrders: string[] = [];
  const saleOfReturnOrder = new Map<string, string>();
  for (const order of snapshot.orders) {
    if (order.returns?.length) {
      saleOfReturnOrder.set(order.id, order.returns[0]!.source_order_id);
      continue;
    }
    if (!["OPEN", "COMPLETED", "CANCELED"].includes(order.state)) {
      draftOrders.push(order.id);
      continue;
    }
    try {
      mapOrder(order);
      sales_receipt.set(`square:order:${order.id}`, Date.parse(order.updated_at));
    } catch (error) {
      if ((error as Error).name !== "MappingError") throw error;
      skippedOrders.push(order.id);
    }
  }
  const refund_receipt: RecordSet = new Map();
  const refundSales = new Map<string, string | null>();
  const unsettledRefunds: string[] = [];
  for (const refund of snapshot.refunds) {
    if (refund.status !== "COMPLETED") {
      unsettledRefunds.push(refund.id);
      continue;
    }
    const sale = refund.unlinked ? null : saleOfReturnOrder.get(refund.order_id ?? "");
    if (sale === undefined) throw new Error(`emulator refund ${refund.id} has no return order naming a sale`);
    refund_receipt.set(`square:refund:${refund.id}`, Date.parse(refund.updated_at));
    refundSales.set(`square:refund:${refund.id}`, sale);
  }
  return { customer, sales_receipt, refund_receipt, skippedOrders, unsettledRefunds, draftOrders, refundSales };
}

/** Each stored refund receipt's key → its receipt_id (the sale it reverses; null when unlinked). */
export async function storedRefundSales(host: Host, connectionId: string): Promise<Map<string, string | null>> {
  const rows = await host.store.records.list(connectionId, { kind: "refund_receipt", limit: 1_000_000 });
  return new Map(rows.map((row) => [row.idempotency_key, ((row.payload ?? {}) as { receipt_id?: string | null }).receipt_id ?? null]));
}

export type Stored = Expected & { rows: number; distinctKeys: number };

/** What the store holds for a connection, per kind, with its payload's provider_updated_at. */
export async function storedRecords(host: Host, connectionId: string): Promise<Stored> {
  const rows = await host.store.records.list(connectionId, { limit: 1_000_000 });
  const out: Stored = { customer: new Map(), sales_receipt: new Map(), refund_receipt: new Map(), rows: rows.length, distinctKeys: 0 };
  const keys = new Set<string>();
  for (const row of rows) {
    keys.add(`${row.kind}/${row.idempotency_key}`);
    const payload = (row.payload ?? {}) as { provider_updated_at?: string };
    const set = out[row.kind as keyof Expected];
    if (!set) throw new Error(`unexpected record kind ${row.kind}`);
    set.set(row.idempotency_key, payload.provider_updated_at ? Date.parse(payload.provider_updated_at) : Number.NaN);
  }
  out.distinctKeys = keys.size;
  return out;
}

/** Sorted [key, updatedAt] pairs: a readable diff when sets differ. */
export const entries = (set: RecordSet) => [...set.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));

/** Keys in `a` missing from `b` (first few), for failure messages. */
export function missing(a: RecordSet, b: RecordSet, limit = 5): string[] {
  return [...a.keys()].filter((k) => !b.has(k)).slice(0, limit);
}

/** A host logger writing JSON lines into memory through the real pino + redaction path. */
export function captureLogger(): { logger: HostLogger; lines: string[] } {
  const lines: string[] = [];
  const logger = createHostLogger({
    level: "debug",
    destination: {
      write(chunk: string) {
        for (const line of chunk.split("\n")) if (line) lines.push(line);
      },
    },
  });
  return { logger, lines };
}

/** Syncs each stream of a connection in manifest order (every stream, even after a failure). */
export async function syncEveryStream(host: Host, engine: SyncEngine, connectionId: string, connector: string): Promise<SyncResult[]> {
  const streams = (await host.connectors.get(connector))!.manifest.streams;
  const results: SyncResult[] = [];
  for (const stream of streams) results.push(await engine.sync(connectionId, stream.name, { backoff: { baseDelayMs: 50, maxDelayMs: 1000 } }));
  return results;
}

export const summary = (results: SyncResult[]) =>
  results.map((r) => ({ stream: r.stream, outcome: r.outcome, pages: r.pages, accepted: r.accepted, rejected: r.rejected, retries: r.retries, error: r.error }));

/** Every access and refresh token, authorization code and app client secret the emulators know. */
export function emulatorSecrets(env: DemoEnvironment): string[] {
  const shopify = env.shopify.state;
  const square = env.square.state;
  return [
    ...shopify.accessTokens.keys(),
    ...shopify.refreshTokens.keys(),
    ...shopify.codes.keys(),
    ...[...shopify.apps.values()].map((a) => a.clientSecret),
    ...square.oauth.accessTokens.keys(),
    ...square.oauth.refreshTokens.keys(),
    ...square.oauth.codes.keys(),
    ...[...square.apps.values()].map((a) => a.clientSecret),
  ];
}

/** Where any secret appears in the data dir's database files (.db, -wal, -shm) or in a text. */
export function findLeaks(secrets: readonly string[], dataDir: string, texts: readonly string[]): string[] {
  const files = readdirSync(dataDir).filter((f) => /\.db(-wal|-shm)?$/.test(f));
  if (!files.some((f) => f.endsWith(".db"))) throw new Error(`no database file in ${dataDir}`);
  const blobs = files.map((f) => ({ f, bytes: readFileSync(join(dataDir, f)) }));
  const leaks: string[] = [];
  for (const secret of secrets) {
    for (const { f, bytes } of blobs) if (bytes.includes(secret)) leaks.push(`${f}: ${secret.slice(0, 6)}…`);
    for (const text of texts) if (text.includes(secret)) leaks.push(`text: ${secret.slice(0, 6)}… in ${text.slice(0, 120)}`);
  }
  return leaks;
}

/**
 * Recording mode for the Square emulators this test file starts (call before starting them):
 * every exchange is written to a temp dir; `check()` parses all of them with the official
 * square SDK's schemas, `close()` removes the dir.
 */
export function recordSquareExchanges(): { check(): ContractReport; close(): void } {
  const dir = mkdtempSync(join(tmpdir(), "backfill-e2e-square-exchanges-"));
  process.env[RECORD_DIR_ENV] = dir;
  return {
    check: () => checkRecordedDir(dir),
    close() {
      delete process.env[RECORD_DIR_ENV];
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The store holds exactly `expected`: no key missing or extra, none twice, each at its latest version. */
export async function expectStoreExactly(host: Host, connectionId: string, expected: Expected): Promise<void> {
  const stored = await storedRecords(host, connectionId);
  expect(stored.rows).toBe(stored.distinctKeys);
  for (const kind of ["customer", "sales_receipt", "refund_receipt"] as const) {
    expect(missing(expected[kind], stored[kind]), `${kind} missing from the store`).toEqual([]);
    expect(missing(stored[kind], expected[kind]), `${kind} stored but not in the emulator`).toEqual([]);
    expect(entries(stored[kind]), `${kind} versions`).toEqual(entries(expected[kind]));
  }
}
