// Shopify backfills through Bulk Operations, end to end: the emulator runs the connector's
// bulk queries at its modelled rate and serves the JSONL on the storage origin the host
// routes to it; the store ends with exactly the emulator's records, with ~10% injected
// 429/5xx/timeouts/malformed bodies on the Admin API, a job that fails part-way and a result
// URL that has expired. No storage download carries a Shopify token.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { DEMO_SHOP, startDemoEnvironment, type DemoEnvironment } from "../../src/environment.js";
import { expectStoreExactly, expectedShopify, summary, syncEveryStream } from "./support.js";

const ORDERS = 1_200; // a bulk pass (at least 250 orders); customers (300) page
const FAULTS = { rateLimited: 0.04, serverError: 0.03, timeout: 0.01, malformedJson: 0.02 };
// 3 s a request: on a loaded machine a 1 s budget times out real answers too, and five in a row end the run.
let dataDir: string;
let env: DemoEnvironment;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), "backfill-e2e-bulk-"));
  env = await startDemoEnvironment({ dataDir, mode: "source", orders: ORDERS, seed: 13, faults: FAULTS, requestTimeoutMs: 3_000, shopifyBulk: { objectsPerSecond: 20_000 } });
}, 60_000);

afterAll(async () => {
  await env?.close();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

it("a full backfill through bulk operations under faults ends with exactly the emulator's record set", async () => {
  const { connectionId } = await env.connect("shopify", { shop_domain: DEMO_SHOP });
  env.enableFaults();
  // The first job fails half-way (partial data); the next hands out an expired URL.
  env.shopify.state.bulk.injectFaults({ kind: "fail_partway", fraction: 0.5 }, { kind: "expired_url" });
  const results = await syncEveryStream(env.host, env.engine, connectionId, "shopify");
  expect(
    summary(results).map((r) => [r.stream, r.outcome]),
    JSON.stringify(summary(results)),
  ).toEqual([
    ["customers", "succeeded"],
    ["orders", "succeeded"],
  ]);
  await expectStoreExactly(env.host, connectionId, expectedShopify(env.shopify.state.shop(DEMO_SHOP)));

  const operations = [...env.shopify.state.bulk.operations.values()];
  // The failed job, the one whose URL expired, and the one that completed.
  expect(operations.length).toBeGreaterThanOrEqual(3);
  expect(env.shopify.state.storageDownloads.length).toBeGreaterThanOrEqual(2);
  // The failed job's partial data was read, and the job after it covers only the rest of its window:
  // its search starts at an instant inside the day (the last whole record's updatedAt), not at a midnight.
  expect(env.shopify.state.storageDownloads.some((d) => d.path.endsWith("-partial.jsonl"))).toBe(true);
  const orderJobs = operations.filter((op) => op.query.includes("BackfillBulkOrders"));
  const bounds = (query: string) => ({ from: /updated_at:>='([^']+)'/.exec(query)?.[1], to: /updated_at:<'([^']+)'/.exec(query)?.[1] });
  const failed = bounds(orderJobs[0]!.query);
  const rest = orderJobs
    .slice(1)
    .map((op) => bounds(op.query))
    .find((b) => b.from !== undefined && !b.from.endsWith("T00:00:00Z"));
  expect(rest, JSON.stringify(orderJobs.map((op) => bounds(op.query)))).toBeDefined();
  expect(rest!.to).toBe(failed.to);
  expect(Date.parse(rest!.from!)).toBeGreaterThan(Date.parse(failed.from!));
  expect(env.shopify.state.storageDownloads.every((d) => !d.presentedToken)).toBe(true);
}, 240_000);
