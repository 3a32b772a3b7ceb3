// Shopify full backfill, paged vs bulk (a benchmark, not a test): the demo environment
// (emulators, host, SQLite, worker threads) syncs the orders stream of a shop, once through
// pages (a shop below the bulk threshold) and once through Bulk Operations. Measured: wall
// time, requests and query-cost points per order. The emulated bucket is Plus-sized so the
// run is not spent waiting; what a Standard (100 points/s) or Plus (1,000 points/s) shop
// would take is computed from the measured points and requests per order, a stated latency
// per request and the emulator's modelled bulk rate.
// Run: npm run bench -w @backfill-io/demo (node --import tsx --conditions=source bench/shopify-bulk.ts)
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DEMO_SHOP, startDemoEnvironment } from "../src/environment.js";

/** A Shopify Admin round trip as a host far from Shopify sees it (stated, not measured here). */
const LATENCY_S = 0.25;
/** The emulator's modelled bulk processing rate for this run (objects a second). */
const BULK_OBJECTS_PER_SECOND = 5_000;
const PLANS = { Standard: 100, Plus: 1_000 } as const;

type Measured = { orders: number; wallS: number; requests: number; points: number; objects: number };

async function measure(orders: number): Promise<Measured> {
  const dataDir = mkdtempSync(join(tmpdir(), "backfill-bench-shopify-"));
  const env = await startDemoEnvironment({ dataDir, mode: "source", orders, seed: 21, shopifyBulk: { objectsPerSecond: BULK_OBJECTS_PER_SECOND } });
  try {
    const { connectionId } = await env.connect("shopify", { shop_domain: DEMO_SHOP });
    const state = env.shopify.state;
    const requestsBefore = state.requestLog.filter((r) => r.path.endsWith("/graphql.json")).length;
    const pointsBefore = state.pointsSpent.get(DEMO_SHOP) ?? 0;
    const t0 = performance.now();
    const result = await env.engine.sync(connectionId, "orders");
    const wallS = (performance.now() - t0) / 1000;
    if (result.outcome !== "succeeded") throw new Error(`orders sync ${result.outcome}: ${result.error ?? ""}`);
    const objects = [...state.bulk.operations.values()].reduce((n, op) => n + op.lines.length, 0);
    return {
      orders,
      wallS,
      requests: state.requestLog.filter((r) => r.path.endsWith("/graphql.json")).length - requestsBefore,
      points: (state.pointsSpent.get(DEMO_SHOP) ?? 0) - pointsBefore,
      objects,
    };
  } finally {
    await env.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/** Seconds a shop with `restoreRate` points/s waits for `orders` orders, from measured per-order costs. */
function extrapolate(m: Measured, orders: number, restoreRate: number): number {
  const scale = orders / m.orders;
  const throttled = (m.points * scale) / restoreRate;
  const latency = m.requests * scale * LATENCY_S;
  const bulk = (m.objects * scale) / BULK_OBJECTS_PER_SECOND;
  return Math.max(throttled, latency) + bulk;
}

const hours = (s: number) => (s >= 3600 ? `${(s / 3600).toFixed(1)} h` : s >= 60 ? `${(s / 60).toFixed(1)} min` : `${s.toFixed(0)} s`);

const paged = await measure(240); // below the bulk threshold (250): pages
const bulk = await measure(10_000); // a bulk pass
if (paged.objects !== 0 || bulk.objects === 0) throw new Error("the runs did not take the expected paths");

const rows: string[][] = [["orders stream", "orders", "wall (measured)", "requests", "points", "points/order"]];
for (const [name, m] of [["paged", paged], ["bulk", bulk]] as const) {
  rows.push([name, m.orders.toLocaleString("en-US"), hours(m.wallS), m.requests.toLocaleString("en-US"), Math.round(m.points).toLocaleString("en-US"), (m.points / m.orders).toFixed(1)]);
}
const standard10k = { paged: extrapolate(paged, 10_000, PLANS.Standard), bulk: extrapolate(bulk, 10_000, PLANS.Standard) };
rows.push(["10k orders on Standard, paged vs bulk", "10,000", `${hours(standard10k.paged)} vs ${hours(standard10k.bulk)}`, "", "", `${(standard10k.paged / standard10k.bulk).toFixed(1)}× faster`]);
const print = (table: string[][]) => {
  const widths = table[0]!.map((_, i) => Math.max(...table.map((r) => (r[i] ?? "").length)));
  for (const [i, r] of table.entries()) {
    console.log(r.map((c, j) => c.padEnd(widths[j]!)).join(" | "));
    if (i === 0) console.log(widths.map((w) => "-".repeat(w)).join("-|-"));
  }
};
print(rows);
console.log(`\nWhat a user would wait for 100,000 orders (from the measured points and requests per order, ${LATENCY_S * 1000} ms a request, bulk at ${BULK_OBJECTS_PER_SECOND.toLocaleString("en-US")} objects/s):\n`);
const wait: string[][] = [["plan", "paged", "bulk"]];
for (const [plan, rate] of Object.entries(PLANS)) wait.push([`${plan} (${rate} points/s)`, hours(extrapolate(paged, 100_000, rate)), hours(extrapolate(bulk, 100_000, rate))]);
print(wait);
