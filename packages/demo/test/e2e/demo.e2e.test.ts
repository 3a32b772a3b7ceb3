// The demo path end to end: both emulators, the host on SQLite, the route runner running
// the connectors from TypeScript source, connections made through the real redirect flow.
// One environment, in order: a full sync under 10% injected 429/5xx plus a few timeouts and
// truncated JSON bodies; an incremental sync
// after both providers moved on; a revoked token; no secret at rest or in any log line.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readTokens, type SyncResult } from "@backfill-io/host";
import { DEMO_MERCHANT, DEMO_SHOP, startDemoEnvironment, type DemoEnvironment } from "../../src/environment.js";
import {
  captureLogger,
  emulatorSecrets,
  entries,
  findLeaks,
  expectedShopify,
  expectedSquare,
  missing,
  recordSquareExchanges,
  squareOrderMapper,
  storedRecords,
  storedRefundSales,
  summary,
  syncEveryStream,
  type Expected,
} from "./support.js";

const ORDERS = 240; // below the bulk threshold (250): this file covers the paged path
// 10% 429/5xx, and at small rates requests the host times out on and 200s with cut-off JSON.
const FAULTS = { rateLimited: 0.05, serverError: 0.05, timeout: 0.03, malformedJson: 0.03 };
let dataDir: string;
/** The Square emulator records every exchange; the last test parses them with Square's SDK. */
let squareExchanges: ReturnType<typeof recordSquareExchanges> | undefined;
let env: DemoEnvironment;
const logs = captureLogger();
const connections: { shopify?: string; square?: string } = {};

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), "backfill-e2e-"));
  squareExchanges = recordSquareExchanges();
  env = await startDemoEnvironment({ dataDir, mode: "source", orders: ORDERS, seed: 11, faults: FAULTS, requestTimeoutMs: 1_000, logger: logs.logger });
  connections.shopify = (await env.connect("shopify", { shop_domain: DEMO_SHOP })).connectionId;
  connections.square = (await env.connect("square", { environment: "production" })).connectionId;
}, 60_000);

afterAll(async () => {
  await env?.close();
  squareExchanges?.close();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

async function expectExactly(connectionId: string, expected: Expected): Promise<void> {
  const stored = await storedRecords(env.host, connectionId);
  // No duplicates: one row per (kind, key).
  expect(stored.rows).toBe(stored.distinctKeys);
  for (const kind of ["customer", "sales_receipt", "refund_receipt"] as const) {
    expect(missing(expected[kind], stored[kind]), `${kind} missing from the store`).toEqual([]);
    expect(missing(stored[kind], expected[kind]), `${kind} stored but not in the emulator`).toEqual([]);
    // The latest version of each record (provider updated_at), not a stale one.
    expect(entries(stored[kind]), `${kind} versions`).toEqual(entries(expected[kind]));
  }
}

const totalRetries = (results: SyncResult[]) => results.reduce((n, r) => n + r.retries, 0);

describe("demo environment end to end", () => {
  it("connects both providers through the redirect flow", async () => {
    const rows = await env.host.store.connections.list();
    expect(rows.map((r) => [r.connector_key, r.status]).sort()).toEqual([
      ["shopify", "active"],
      ["square", "active"],
    ]);
  });

  it("Shopify: every stream under injected 429/5xx, timeouts and malformed bodies ends with exactly the emulator's record set", async () => {
    env.enableFaults();
    const results = await syncEveryStream(env.host, env.engine, connections.shopify!, "shopify");
    expect(
      summary(results).map((r) => [r.stream, r.outcome, r.rejected]),
      JSON.stringify(summary(results)),
    ).toEqual([
      ["customers", "succeeded", 0],
      ["orders", "succeeded", 0],
    ]);
    // Faults really happened, and the host retried through them.
    expect(new Set(env.shopify.state.faults.served.map((f) => f.kind))).toEqual(new Set(["rate_limited", "server_error", "timeout", "malformed_json"]));
    expect(totalRetries(results)).toBeGreaterThan(0);
    await expectExactly(connections.shopify!, expectedShopify(env.shopify.state.shop(DEMO_SHOP)));
  }, 60_000);

  it("Square: every stream under injected 429/5xx, timeouts and malformed bodies ends with exactly the emulator's record set", async () => {
    env.enableFaults();
    // The connector needs few requests (pages of 500 orders, one batch per 100 refunds), so
    // random rates alone may miss a kind: one of each is queued ahead of them.
    for (const kind of ["server_error", "timeout", "malformed_json"] as const) env.square.state.faults.inject(kind);
    const results = await syncEveryStream(env.host, env.engine, connections.square!, "square");
    expect(new Set(env.square.state.faults.served.map((f) => f.kind))).toEqual(new Set(["rate_limited", "server_error", "timeout", "malformed_json"]));
    expect(totalRetries(results)).toBeGreaterThan(0);
    expect(
      summary(results).map((r) => [r.stream, r.outcome, r.rejected]),
      JSON.stringify(summary(results)),
    ).toEqual([
      ["customers", "succeeded", 0],
      ["orders", "succeeded", 0],
      ["refunds", "succeeded", 0],
    ]);
    const snapshot = env.square.state.snapshot(DEMO_MERCHANT);
    // The seed is a real merchant's mix: return orders, unlinked refunds, deleted and merged
    // customers, and refunds older than the one year ListPaymentRefunds returns by default.
    expect(snapshot.orders.some((o) => o.returns?.length)).toBe(true);
    expect(snapshot.refunds.some((r) => r.unlinked)).toBe(true);
    expect(snapshot.deletedCustomers.some((d) => d.mergedInto)).toBe(true);
    expect(snapshot.refunds.some((r) => r.status === "COMPLETED" && Date.parse(r.created_at) < env.square.state.now() - 365 * 86_400_000)).toBe(true);
    const square = expectedSquare(snapshot, await squareOrderMapper());
    await expectExactly(connections.square!, square);
    // Each refund reverses the sale its return order names (unlinked: none), never the return order.
    expect(Object.fromEntries(await storedRefundSales(env.host, connections.square!))).toEqual(Object.fromEntries(square.refundSales));
    // What the connector deliberately leaves out is a small share, and every skipped order is logged by id.
    expect(square.skippedOrders.length).toBeLessThanOrEqual(Math.ceil(ORDERS * 0.05));
    const skippedLogged = logs.lines.filter((l) => l.includes("square objects skipped")).join("\n");
    for (const id of square.skippedOrders) expect(skippedLogged).toContain(id);
    if (square.unsettledRefunds.length) expect(logs.lines.some((l) => l.includes("square refunds not yet settled"))).toBe(true);
  }, 60_000);

  it("Shopify: after the shop moves on, a second sync re-reads only what changed and ends exact again", async () => {
    const shop = env.shopify.state.shop(DEMO_SHOP);
    // The connector's documented overlap: the next pass starts at the high-water mark minus a
    // lookback (5 minutes for orders, the whole previous day for customers, matched by day).
    const highWater = (xs: { updatedAt: string }[]) => Math.max(...xs.map((x) => Date.parse(x.updatedAt)));
    const orderSince = highWater(shop.orders) - 5 * 60_000;
    const customerSinceDay = new Date(highWater(shop.customers) - 86_400_000).toISOString().slice(0, 10);
    const overlapOrders = shop.orders.filter((o) => Date.parse(o.updatedAt) >= orderSince).map((o) => o.id);
    const overlapCustomers = shop.customers.filter((c) => c.updatedAt.slice(0, 10) >= customerSinceDay).map((c) => c.id);

    const changed = env.shopify.state.advance(DEMO_SHOP, { orders: 5, newOrders: 3, customers: 2, newCustomers: 1 });
    const results = await syncEveryStream(env.host, env.engine, connections.shopify!, "shopify");
    const byStream = Object.fromEntries(results.map((r) => [r.stream, r]));
    expect(
      results.every((r) => r.outcome === "succeeded"),
      JSON.stringify(summary(results)),
    ).toBe(true);

    const reReadOrders = new Set([...changed.orderIds, ...overlapOrders]);
    const reReadCustomers = new Set([...changed.customerIds, ...overlapCustomers]);
    expect(byStream.customers!.accepted).toBe(reReadCustomers.size);
    // The re-read orders' sales receipts and their refund receipts (read in the orders pass), nothing else.
    expect(byStream.orders!.accepted).toBe(reReadOrders.size + shop.orders.filter((o) => reReadOrders.has(o.id)).reduce((n, o) => n + o.refunds.length, 0));
    // Small: a handful of records, not the shop.
    expect(byStream.orders!.accepted).toBeLessThan(ORDERS / 10);
    await expectExactly(connections.shopify!, expectedShopify(shop));
  }, 60_000);

  it("Square: after the merchant moves on, a second sync re-reads only what changed and ends exact again", async () => {
    const changed = env.square.state.advance({ merchantId: DEMO_MERCHANT });
    const results = await syncEveryStream(env.host, env.engine, connections.square!, "square");
    const byStream = Object.fromEntries(results.map((r) => [r.stream, r]));
    expect(
      summary(results).map((r) => [r.stream, r.outcome]),
      JSON.stringify(summary(results)),
    ).toEqual([
      ["customers", "succeeded"],
      ["orders", "succeeded"],
      ["refunds", "succeeded"],
    ]);
    const snapshot = env.square.state.snapshot(DEMO_MERCHANT);
    const square = expectedSquare(snapshot, await squareOrderMapper());
    expect(byStream.customers!.accepted).toBe(changed.customers.length);
    expect(byStream.orders!.accepted).toBe(changed.orders.filter((id) => square.sales_receipt.has(`square:order:${id}`)).length);
    expect(byStream.refunds!.accepted).toBe(changed.refunds.filter((id) => square.refund_receipt.has(`square:refund:${id}`)).length);
    await expectExactly(connections.square!, square);
    expect(Object.fromEntries(await storedRefundSales(env.host, connections.square!))).toEqual(Object.fromEntries(square.refundSales));
  }, 60_000);

  describe.each([
    {
      connector: "shopify" as const,
      revoke: (token: string) => expect(env.shopify.state.revokeToken(token)).toBe(true),
      providerCalls: () => env.shopify.state.requestLog.length,
    },
    {
      connector: "square" as const,
      revoke: (token: string) => expect(env.square.state.revokeToken({ accessToken: token })).toBeGreaterThan(0),
      providerCalls: () => env.square.state.requests.length,
    },
  ])("$connector: a token revoked at the provider", ({ connector, revoke, providerCalls }) => {
    it("ends the sync in reauth_required, marks the connection, and a second sync does not hammer the provider", async () => {
      // Faults off: this is about the 401, not about retries.
      env.shopify.state.setFaults({});
      env.square.state.faults.setRates({});
      const id = connections[connector]!;
      const tokens = await readTokens(env.host.store, env.host.vault, id);
      revoke(tokens!.accessToken);

      const first = await env.engine.sync(id, "orders");
      expect(first).toMatchObject({ outcome: "reauth_required", pages: 0, accepted: 0, retries: 0 });
      const row = await env.host.store.connections.get(id);
      expect(row?.status).toBe("reauth_required");

      const before = providerCalls();
      const started = Date.now();
      const second = await env.engine.sync(id, "orders");
      expect(second).toMatchObject({ outcome: "reauth_required", pages: 0, accepted: 0, retries: 0 });
      expect(providerCalls() - before).toBeLessThanOrEqual(1);
      expect(Date.now() - started).toBeLessThan(5_000);
      // Every stream stops at once too (no crash loop, no retry storm), and nothing was lost.
      const all = await env.engine.syncConnection(id);
      expect(all.map((r) => r.outcome)).toEqual(["reauth_required"]);
      expect(providerCalls() - before).toBeLessThanOrEqual(2);
      expect((await env.host.store.connections.get(id))?.status).toBe("reauth_required");
      const runs = await env.host.store.syncRuns.list({ connectionId: id, status: "running" });
      expect(runs).toEqual([]);
    });
  });

  it("keeps every token, client secret and code out of the data dir's files and out of every log line", async () => {
    const secrets = emulatorSecrets(env);
    // Both connections were authorized through the emulators.
    expect(env.shopify.state.accessTokens.size).toBeGreaterThan(0);
    expect(env.square.state.oauth.accessTokens.size).toBeGreaterThan(0);
    expect(secrets.every((s) => s.length >= 16)).toBe(true);
    expect(logs.lines.length).toBeGreaterThan(0);
    // The scan does see what is stored in plaintext (a connection id), so an empty result means something.
    expect(findLeaks([connections.shopify!], dataDir, []).length).toBeGreaterThan(0);
    const leaks = findLeaks(secrets, dataDir, logs.lines);
    expect(leaks).toEqual([]);
  });
});

// Last, so it sees every exchange of the tests above (syncs under faults, incremental, revocation).
it("Square: every body the emulator served in these tests, and every request the connector sent, parses with the official square SDK's schemas", () => {
  const report = squareExchanges!.check();
  expect(report.violations.slice(0, 20)).toEqual([]);
  expect(report.checked).toBeGreaterThan(20);
  expect(Object.keys(report.operations)).toEqual(
    expect.arrayContaining(["ObtainToken", "RetrieveMerchant", "ListLocations", "ListCustomers", "SearchCustomers", "SearchOrders", "BatchRetrieveOrders", "ListPaymentRefunds"]),
  );
});
