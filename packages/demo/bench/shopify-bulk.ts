// Full backfills (a benchmark, not a test): the demo environment (emulators, host, SQLite,
// worker threads) syncs a Shopify shop on an emulated Standard plan (a 2,000-point bucket
// refilling at 100 points a second), once through pages (a shop below the bulk threshold) and
// once through Bulk Operations (10,000 orders), and a Square merchant of 10,000 orders. The
// orders stream writes sales receipts and their refund receipts (refunds are read in the orders
// pass). Measured: wall time, requests and query-cost points. What a user would wait for
// 100,000 orders is extrapolated from the measured per-order points and requests, a stated
// latency per request and the emulator's modelled bulk rate.
// Run: npm run bench -w @backfill-io/demo (node --import tsx --conditions=source bench/shopify-bulk.ts)
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DEMO_SHOP, startDemoEnvironment, type DemoEnvironment } from "../src/environment.js";

/** A Shopify Admin round trip as a host far from Shopify sees it (stated, not measured here). */
const SHOPIFY_LATENCY_S = 0.25;
/** A Square API round trip (stated). */
const SQUARE_LATENCY_S = 0.2;
/** The emulator's modelled bulk processing rate for this run (objects a second). */
const BULK_OBJECTS_PER_SECOND = 5_000;
const STANDARD = { maximumAvailable: 2_000, restoreRate: 100 } as const;
const PLANS = { Standard: 100, Plus: 1_000 } as const;
const BULK_ORDERS = Number(process.env.BENCH_SHOPIFY_ORDERS ?? 10_000);
const PAGED_ORDERS = 240; // below the bulk threshold (250): pages
const TARGET_ORDERS = 100_000;

type Measured = { orders: number; records: number; wallS: number; requests: number; points: number; objects: number };

async function withEnvironment<T>(orders: number, run: (env: DemoEnvironment) => Promise<T>): Promise<T> {
  const dataDir = mkdtempSync(join(tmpdir(), "backfill-bench-backfill-"));
  const env = await startDemoEnvironment({ dataDir, mode: "source", orders, seed: 21, shopifyBulk: { objectsPerSecond: BULK_OBJECTS_PER_SECOND }, shopifyThrottle: STANDARD });
  try {
    return await run(env);
  } finally {
    await env.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/** The Shopify orders stream (sales and refund receipts), from empty to done. */
async function measureShopify(env: DemoEnvironment, orders: number): Promise<Measured> {
  const { connectionId } = await env.connect("shopify", { shop_domain: DEMO_SHOP });
  const state = env.shopify.state;
  const graphql = () => state.requestLog.filter((r) => r.path.endsWith("/graphql.json")).length;
  const requestsBefore = graphql();
  const pointsBefore = state.pointsSpent.get(DEMO_SHOP) ?? 0;
  const t0 = performance.now();
  const result = await env.engine.sync(connectionId, "orders");
  const wallS = (performance.now() - t0) / 1000;
  if (result.outcome !== "succeeded") throw new Error(`orders sync ${result.outcome}: ${result.error ?? ""}`);
  const objects = [...state.bulk.operations.values()].reduce((n, op) => n + op.lines.length, 0);
  return { orders, records: result.accepted, wallS, requests: graphql() - requestsBefore, points: (state.pointsSpent.get(DEMO_SHOP) ?? 0) - pointsBefore, objects };
}

type SquareMeasured = { orders: number; records: number; requests: number; wallS: number };

/** Every Square stream (customers, orders, refunds), from empty to done. */
async function measureSquare(env: DemoEnvironment, orders: number): Promise<SquareMeasured> {
  const { connectionId } = await env.connect("square", { environment: "production" });
  const before = env.square.state.requests.filter((r) => r.path.startsWith("/v2/")).length;
  const t0 = performance.now();
  let records = 0;
  for (const stream of ["customers", "orders", "refunds"]) {
    const result = await env.engine.sync(connectionId, stream);
    if (result.outcome !== "succeeded") throw new Error(`square ${stream} sync ${result.outcome}: ${result.error ?? ""}`);
    records += result.accepted;
  }
  const wallS = (performance.now() - t0) / 1000;
  return { orders, records, requests: env.square.state.requests.filter((r) => r.path.startsWith("/v2/")).length - before, wallS };
}

/** Seconds a shop with `restoreRate` points/s waits for `orders` orders, from measured per-order costs. */
function shopifyWait(m: Measured, orders: number, restoreRate: number): number {
  const scale = orders / m.orders;
  const throttled = (m.points * scale) / restoreRate;
  const latency = m.requests * scale * SHOPIFY_LATENCY_S;
  const bulk = (m.objects * scale) / BULK_OBJECTS_PER_SECOND;
  return Math.max(throttled, latency) + bulk;
}

const squareWait = (m: SquareMeasured, orders: number) => (m.requests * orders * SQUARE_LATENCY_S) / m.orders;

const duration = (s: number) => (s >= 3600 ? `${(s / 3600).toFixed(1)} h` : s >= 60 ? `${(s / 60).toFixed(1)} min` : `${s.toFixed(0)} s`);
const fmt = (n: number, digits = 0) => n.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits });

function print(table: string[][]): void {
  const widths = table[0]!.map((_, i) => Math.max(...table.map((r) => (r[i] ?? "").length)));
  for (const [i, r] of table.entries()) {
    console.log(r.map((c, j) => c.padEnd(widths[j]!)).join(" | "));
    if (i === 0) console.log(widths.map((w) => "-".repeat(w)).join("-|-"));
  }
}

const paged = await withEnvironment(PAGED_ORDERS, (env) => measureShopify(env, PAGED_ORDERS));
const { bulk, square } = await withEnvironment(BULK_ORDERS, async (env) => ({ bulk: await measureShopify(env, BULK_ORDERS), square: await measureSquare(env, BULK_ORDERS) }));
if (paged.objects !== 0 || bulk.objects === 0) throw new Error("the runs did not take the expected paths");

console.log(
  `\nShopify orders stream (sales and refund receipts) on an emulated Standard plan (${STANDARD.maximumAvailable} points, ${STANDARD.restoreRate}/s), bulk at ${fmt(BULK_OBJECTS_PER_SECOND)} objects/s:\n`,
);
const rows: string[][] = [["path", "orders", "records", "wall (measured)", "requests", "points", "points/order", "requests/order"]];
for (const [name, m] of [
  ["paged", paged],
  ["bulk", bulk],
] as const) {
  rows.push([name, fmt(m.orders), fmt(m.records), duration(m.wallS), fmt(m.requests), fmt(m.points), fmt(m.points / m.orders, 1), fmt(m.requests / m.orders, 3)]);
}
// Paged at BULK_ORDERS: the measured per-order points at the Standard rate (a full page waits for the bucket).
const pagedAtBulkSize = shopifyWait(paged, BULK_ORDERS, STANDARD.restoreRate);
rows.push([
  `${fmt(BULK_ORDERS)} orders paged (extrapolated) vs bulk (measured)`,
  fmt(BULK_ORDERS),
  "",
  `${duration(pagedAtBulkSize)} vs ${duration(bulk.wallS)}`,
  "",
  "",
  "",
  `${fmt(pagedAtBulkSize / bulk.wallS, 1)}× faster (target ≥ 20×)`,
]);
const bulkBound = bulk.objects / BULK_OBJECTS_PER_SECOND + bulk.points / STANDARD.restoreRate;
rows.push([
  "bulk, modelled bound: objects / bulk rate + points / restore rate",
  "",
  "",
  duration(bulkBound),
  "",
  "",
  "",
  `${fmt(bulk.wallS / Math.max(bulkBound, 1), 2)}× the bound`,
]);
print(rows);

console.log(
  `\nSquare, every stream (${fmt(square.orders)} orders with their refunds): ${fmt(square.records)} records, ${fmt(square.requests)} requests, ${fmt(square.requests / square.records, 4)} requests per record (target ≤ 0.02), ${duration(square.wallS)} here`,
);

console.log(
  `\nWhat a user would wait for ${fmt(TARGET_ORDERS)} orders (from the measured per-order costs; Shopify ${SHOPIFY_LATENCY_S * 1000} ms a request and bulk at ${fmt(BULK_OBJECTS_PER_SECOND)} objects/s, Square ${SQUARE_LATENCY_S * 1000} ms a request):\n`,
);
const wait: string[][] = [["provider / plan", "paged", "bulk"]];
for (const [plan, rate] of Object.entries(PLANS))
  wait.push([`Shopify ${plan} (${rate} points/s)`, duration(shopifyWait(paged, TARGET_ORDERS, rate)), duration(shopifyWait(bulk, TARGET_ORDERS, rate))]);
wait.push(["Square (batch reads)", duration(squareWait(square, TARGET_ORDERS)), "-"]);
print(wait);
