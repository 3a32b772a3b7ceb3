// Shopify order history and token recovery, end to end: the emulator serves only the last 60
// days of orders to a grant without read_all_orders, as Shopify does. With the scope, a full
// sync ends with every order and refund, old and new; without it (Shopify has not approved the
// protected scope for the app), the connect still succeeds, the sync stores exactly the last
// 60 days, and the connection and every orders/refunds run say what is missing and why. And a
// lost refresh response (the emulator rotated, the connection was reset) is recovered with the
// old refresh token, without asking the merchant to reconnect.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { streamScopeNotices } from "@backfill-io/host";
import type { ShopifyShopRecord } from "@backfill-io/emulators";
import { DEMO_SHOP, startDemoEnvironment, type DemoEnvironment } from "../../src/environment.js";
import { entries, expectedShopify, missing, storedRecords, summary, syncEveryStream, type Expected } from "./support.js";

const SIXTY_DAYS_MS = 60 * 86_400_000;
let env: DemoEnvironment | undefined;
let dataDir: string | undefined;

afterEach(async () => {
  await env?.close();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  env = undefined;
  dataDir = undefined;
});

async function startWithRecentOrders(): Promise<DemoEnvironment> {
  dataDir = mkdtempSync(join(tmpdir(), "backfill-e2e-history-"));
  env = await startDemoEnvironment({ dataDir, mode: "source", orders: 40, seed: 5 });
  // The seeded history is older than 60 days; these orders are from today.
  env.shopify.state.advance(DEMO_SHOP, { newOrders: 4, orders: 2 });
  return env;
}

async function expectExactly(e: DemoEnvironment, connectionId: string, expected: Expected): Promise<void> {
  const stored = await storedRecords(e.host, connectionId);
  expect(stored.rows).toBe(stored.distinctKeys);
  for (const kind of ["customer", "sales_receipt", "refund_receipt"] as const) {
    expect(missing(expected[kind], stored[kind]), `${kind} missing from the store`).toEqual([]);
    expect(missing(stored[kind], expected[kind]), `${kind} stored but not what the shop serves`).toEqual([]);
    expect(entries(stored[kind]), `${kind} versions`).toEqual(entries(expected[kind]));
  }
}

/** What a real store serves without read_all_orders: orders created in the last 60 days. */
function recentOnly(shop: ShopifyShopRecord, now: number): ShopifyShopRecord {
  return { ...shop, orders: shop.orders.filter((o) => Date.parse(o.createdAt) >= now - SIXTY_DAYS_MS) };
}

describe("Shopify order history", () => {
  it("with read_all_orders: every order and refund, including those older than 60 days", async () => {
    const e = await startWithRecentOrders();
    const shop = e.shopify.state.shop(DEMO_SHOP);
    expect(shop.orders.some((o) => Date.parse(o.createdAt) < Date.now() - SIXTY_DAYS_MS)).toBe(true);
    const { connectionId } = await e.connect("shopify", { shop_domain: DEMO_SHOP });
    const tokens = await e.host.store.tokens.get(connectionId);
    expect(tokens!.scopes).toContain("read_all_orders");
    const results = await syncEveryStream(e.host, e.engine, connectionId, "shopify");
    expect(summary(results).map((r) => [r.stream, r.outcome])).toEqual([
      ["customers", "succeeded"],
      ["orders", "succeeded"],
    ]);
    expect(results.flatMap((r) => r.notices ?? [])).toEqual([]);
    await expectExactly(e, connectionId, expectedShopify(shop));
  }, 60_000);

  it("without it: the connect succeeds, exactly the last 60 days are stored, and the connection and each orders run says why", async () => {
    const e = await startWithRecentOrders();
    // Shopify has not approved the protected scope for this app: it is left out of the grant.
    for (const app of e.shopify.state.apps.values()) app.unapprovedScopes = ["read_all_orders"];
    const { connectionId } = await e.connect("shopify", { shop_domain: DEMO_SHOP });
    const connection = await e.host.store.connections.get(connectionId);
    expect(connection?.status).toBe("active");

    const results = await syncEveryStream(e.host, e.engine, connectionId, "shopify");
    const byStream = Object.fromEntries(results.map((r) => [r.stream, r]));
    expect(
      results.every((r) => r.outcome === "succeeded"),
      JSON.stringify(summary(results)),
    ).toBe(true);
    for (const stream of ["orders"]) {
      expect(byStream[stream]!.notices).toEqual([
        expect.objectContaining({ code: "optional_scope_not_granted", scope: "read_all_orders", message: expect.stringContaining("older than 60 days are not available") }),
      ]);
    }
    expect(byStream.customers!.notices).toBeUndefined();
    const manifest = (await e.host.connectors.get("shopify"))!.manifest;
    expect((await streamScopeNotices(e.host.store, manifest, connectionId)).map((n) => n.scope)).toEqual(["read_all_orders"]);

    const shop = e.shopify.state.shop(DEMO_SHOP);
    const expected = expectedShopify(recentOnly(shop, Date.now()));
    expect(expected.sales_receipt.size).toBeGreaterThanOrEqual(4);
    expect(expected.sales_receipt.size).toBeLessThan(shop.orders.length);
    await expectExactly(e, connectionId, expected);
  }, 60_000);
});

describe("Shopify token refresh", () => {
  it("a lost refresh response is recovered with the old refresh token: no reconnect, the sync goes on", async () => {
    const e = await startWithRecentOrders();
    const { connectionId } = await e.connect("shopify", { shop_domain: DEMO_SHOP });
    const before = await e.host.store.tokens.get(connectionId);
    // The access token has lapsed (an hour later): the next accessToken refreshes.
    await e.host.store.db
      .updateTable("oauth_tokens")
      .set({ expires_at: e.host.store.now() - 1_000 })
      .where("connection_id", "=", connectionId)
      .execute();
    // Every attempt of this refresh is processed by Shopify (the tokens rotate, the stored
    // access token dies), and every answer is lost on the way back.
    e.shopify.state.loseTokenResponses(10);
    await expect(e.host.tokens.accessToken(connectionId)).rejects.toMatchObject({ code: "http_error" });
    expect((await e.host.store.connections.get(connectionId))?.status).toBe("active");
    expect((await e.host.store.tokens.get(connectionId))?.refresh_token_enc).toEqual(before?.refresh_token_enc);

    // The next accessToken retries with the old refresh token, and Shopify accepts it.
    e.shopify.state.loseTokenResponses(0);
    const recovered = await e.host.tokens.accessToken(connectionId);
    expect(recovered).toMatch(/^shpat_/);
    expect((await e.host.store.tokens.get(connectionId))?.refresh_token_enc).not.toEqual(before?.refresh_token_enc);
    const results = await syncEveryStream(e.host, e.engine, connectionId, "shopify");
    expect(
      results.every((r) => r.outcome === "succeeded"),
      JSON.stringify(summary(results)),
    ).toBe(true);
    // The recovered pair is stored: it refreshes again normally.
    await e.host.tokens.forceRefresh(connectionId);
    expect((await e.host.store.connections.get(connectionId))?.status).toBe("active");
    await expectExactly(e, connectionId, expectedShopify(e.shopify.state.shop(DEMO_SHOP)));
  }, 60_000);
});
