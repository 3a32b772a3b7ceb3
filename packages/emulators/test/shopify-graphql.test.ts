import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningShopifyEmulator } from "../src/shopify/index.js";
import { CLIENT_ID, graphql, start } from "./shopify-helpers.js";

let emulator: RunningShopifyEmulator;
let token: string;

beforeAll(async () => {
  // A bottomless bucket: these tests walk every page many times; throttling has its own test.
  emulator = await start({ throttle: { maximumAvailable: 1e9, restoreRate: 1e9 } });
  token = emulator.state.issueOfflineToken("acme", CLIENT_ID);
});
afterAll(async () => {
  await emulator.close();
});

const ORDERS = /* GraphQL */ `
  query Orders($first: Int!, $after: String, $query: String) {
    orders(first: $first, after: $after, sortKey: UPDATED_AT, query: $query) {
      edges { cursor node { id updatedAt } }
      nodes {
        id name createdAt updatedAt cancelledAt displayFinancialStatus taxesIncluded
        customer { id }
        totalPriceSet { shopMoney { amount currencyCode } presentmentMoney { amount currencyCode } }
        subtotalPriceSet { shopMoney { amount currencyCode } }
        totalTaxSet { shopMoney { amount } }
        totalShippingPriceSet { shopMoney { amount } }
        totalDiscountsSet { shopMoney { amount } }
        lineItems(first: 10) { nodes { id quantity currentQuantity originalUnitPriceSet { shopMoney { amount } } } }
        refunds {
          id createdAt updatedAt note
          totalRefundedSet { shopMoney { amount currencyCode } presentmentMoney { amount currencyCode } }
          refundLineItems(first: 10) { nodes { quantity lineItem { id } subtotalSet { shopMoney { amount } } totalTaxSet { shopMoney { amount } } } }
        }
      }
      pageInfo { hasNextPage endCursor }
    }
  }
`;

interface OrderNode {
  id: string;
  updatedAt: string;
  customer: { id: string } | null;
  displayFinancialStatus: string;
  cancelledAt: string | null;
  totalPriceSet: { presentmentMoney: { currencyCode: string } };
  lineItems: { nodes: Array<{ quantity: number; currentQuantity: number }> };
  refunds: Array<{ refundLineItems: { nodes: Array<{ lineItem: { id: string } }> } }>;
}
interface OrdersPage {
  orders: { nodes: OrderNode[]; edges: Array<{ cursor: string; node: { id: string } }>; pageInfo: { hasNextPage: boolean; endCursor: string | null } };
}

async function allOrders(query?: string, first = 8): Promise<OrderNode[]> {
  const seen: OrderNode[] = [];
  let after: string | null = null;
  for (;;) {
    const { status, body } = await graphql(emulator, "acme", token, ORDERS, { first, after, query });
    expect(status).toBe(200);
    expect(body.errors).toBeUndefined();
    const page = (body.data as unknown as OrdersPage).orders;
    expect(page.edges.map((e) => e.node.id)).toEqual(page.nodes.map((n) => n.id));
    seen.push(...page.nodes);
    if (!page.pageInfo.hasNextPage) return seen;
    after = page.pageInfo.endCursor;
  }
}

describe("Shopify Admin GraphQL", () => {
  it("walks every order exactly once, in updatedAt order", async () => {
    const orders = await allOrders();
    const ids = orders.map((o) => o.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.length).toBe(emulator.state.shop("acme").orders.length);
    const times = orders.map((o) => o.updatedAt);
    expect([...times].sort()).toEqual(times);
  });

  it("seeds the variety a connector must handle", async () => {
    const orders = await allOrders();
    expect(new Set(orders.map((o) => o.displayFinancialStatus)).size).toBeGreaterThanOrEqual(7);
    expect(orders.some((o) => o.customer === null)).toBe(true);
    expect(orders.some((o) => o.cancelledAt !== null)).toBe(true);
    const currencies = new Set(orders.map((o) => o.totalPriceSet.presentmentMoney.currencyCode));
    for (const code of ["USD", "EUR", "JPY"]) expect(currencies).toContain(code);
    expect(orders.some((o) => o.lineItems.nodes.some((li) => li.currentQuantity === 0 && li.quantity > 0))).toBe(true);
    expect(orders.some((o) => o.refunds.length > 1)).toBe(true);
    const refundedLine = orders.flatMap((o) => o.refunds).flatMap((r) => r.refundLineItems.nodes)[0];
    expect(refundedLine?.lineItem.id).toMatch(/^gid:\/\/shopify\/LineItem\//);
    const jpy = JSON.stringify(orders.find((o) => o.totalPriceSet.presentmentMoney.currencyCode === "JPY")?.totalPriceSet);
    expect(jpy).toMatch(/"amount":"\d+\.0","currencyCode":"JPY"/);
  });

  it("filters orders by updated_at exactly", async () => {
    const shop = emulator.state.shop("acme");
    const pivot = [...shop.orders].sort((a, b) => a.updatedAt.localeCompare(b.updatedAt))[60]?.updatedAt ?? "";
    const gte = await allOrders(`updated_at:>='${pivot}'`);
    const gt = await allOrders(`updated_at:>'${pivot}'`);
    expect(gte.length).toBe(shop.orders.filter((o) => o.updatedAt >= pivot).length);
    expect(gt.length).toBe(shop.orders.filter((o) => o.updatedAt > pivot).length);
    expect(gte.every((o) => o.updatedAt >= pivot)).toBe(true);
    const lte = await allOrders(`updated_at:<=${pivot}`);
    expect(lte.length + gt.length).toBe(shop.orders.length);
  });

  it("matches customers' updated_at by whole days, like Shopify", async () => {
    const shop = emulator.state.shop("acme");
    const customer = shop.customers[10];
    if (!customer) throw new Error("fixture");
    const laterSameDay = new Date(Date.parse(customer.updatedAt) - 1000).toISOString();
    const query = `{ customers(first: 250, sortKey: UPDATED_AT, query: "updated_at:>'${laterSameDay}'") { nodes { id updatedAt } } }`;
    const { body } = await graphql(emulator, "acme", token, query);
    const ids = (body.data as { customers: { nodes: Array<{ id: string }> } }).customers.nodes.map((n) => n.id);
    // A customer updated one second after the bound, on the bound's day, does not match `>`.
    const sameDay = customer.updatedAt.slice(0, 10) === laterSameDay.slice(0, 10);
    expect(ids.includes(`gid://shopify/Customer/${customer.id}`)).toBe(!sameDay);
    const since = await graphql(emulator, "acme", token, `{ customers(first: 250, query: "updated_at:>=2026-01-01") { nodes { updatedAt } } }`);
    const nodes = (since.body.data as { customers: { nodes: Array<{ updatedAt: string }> } }).customers.nodes;
    expect(nodes.length).toBe(shop.customers.filter((c) => c.updatedAt >= "2026-01-01").length);
  });

  it("sees changes made by advance() in an incremental sync", async () => {
    const before = await allOrders();
    const last = before.at(-1)?.updatedAt ?? "";
    const change = emulator.state.advance({ orders: 3, newOrders: 2 });
    const delta = await allOrders(`updated_at:>'${last}'`);
    expect(new Set(delta.map((o) => o.id))).toEqual(new Set(change.orderIds.map((id) => `gid://shopify/Order/${id}`)));
    const logged = emulator.state.requestLog.at(-1);
    expect(logged).toMatchObject({ method: "POST", path: "/admin/api/2026-10/graphql.json", shop: "acme", status: 200 });
  });

  it("reports cost and throttles when the bucket is empty", async () => {
    let now = 1_000_000;
    const throttled = await start({ clock: () => now, customers: 5, orders: 5, throttle: { maximumAvailable: 100, restoreRate: 10 } });
    try {
      const t = throttled.state.issueOfflineToken("acme", CLIENT_ID);
      const query = "{ orders(first: 10) { nodes { id lineItems(first: 2) { nodes { id } } } } }";
      const first = await graphql(throttled, "acme", t, query);
      const cost = first.body.extensions?.cost;
      expect(cost?.requestedQueryCost).toBe(2 + 10 * (1 + 2 + 2 * 1));
      const actual = cost?.actualQueryCost ?? 0;
      expect(actual).toBeLessThan(cost?.requestedQueryCost ?? 0);
      expect(cost?.throttleStatus).toEqual({ maximumAvailable: 100, currentlyAvailable: 100 - actual, restoreRate: 10 });
      const heavy = "{ orders(first: 24) { nodes { id lineItems(first: 1) { nodes { id } } } } }"; // 2 + 24 * 4 = 98
      const limited = await graphql(throttled, "acme", t, heavy);
      expect(limited.status).toBe(200);
      expect(limited.body.errors).toEqual([{ message: "Throttled", extensions: { code: "THROTTLED", documentation: expect.any(String) } }]);
      expect(limited.body.extensions?.cost.requestedQueryCost).toBe(98);
      now += 10_000; // the bucket refills at 10 points a second
      const again = await graphql(throttled, "acme", t, heavy);
      expect(again.body.errors).toBeUndefined();
      const tooBig = await graphql(throttled, "acme", t, "{ orders(first: 250) { nodes { lineItems(first: 250) { nodes { id } } } } }");
      expect((tooBig.body.errors as Array<{ extensions: { code: string } }>)[0]?.extensions.code).toBe("MAX_COST_EXCEEDED");
    } finally {
      await throttled.close();
    }
  });

  it("reports validation errors and access-denied like Shopify", async () => {
    const invalid = await graphql(emulator, "acme", token, "{ shop { nope } }");
    expect(invalid.status).toBe(200);
    expect(JSON.stringify(invalid.body.errors)).toContain("nope");
    const ordersOnly = emulator.state.issueOfflineToken("acme", CLIENT_ID, "read_orders");
    const denied = await graphql(emulator, "acme", ordersOnly, "{ customers(first: 1) { nodes { id } } }");
    expect(JSON.stringify(denied.body.errors)).toContain("ACCESS_DENIED");
  });

  it("resolves unmodelled non-null fields to placeholders instead of failing", async () => {
    const { body } = await graphql(emulator, "acme", token, "{ shop { id features { giftCards } } orders(first: 1) { nodes { risk { recommendation } } } }");
    expect(body.errors).toBeUndefined();
  });
});
