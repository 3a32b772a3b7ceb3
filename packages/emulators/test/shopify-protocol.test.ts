// Rules of Shopify's Admin API the emulator must keep, each one a way a connector could be
// wrong without any test noticing: the cost of declared variable defaults, interfaces and
// mutations (shopify.dev "GraphQL Admin API rate limits"), the version header and fall-forward
// of retired versions ("About Shopify API versioning"), unquoted timestamps in search
// ("Shopify API search syntax"), and the event id of a redelivered webhook.
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningShopifyEmulator } from "../src/shopify/index.js";
import { CLIENT_ID, graphql, shopFetch, start } from "./shopify-helpers.js";

let emulator: RunningShopifyEmulator;
let token: string;

beforeAll(async () => {
  emulator = await start({ throttle: { maximumAvailable: 1e9, restoreRate: 1e9 }, apiVersions: ["2026-07", "2026-10"] });
  token = emulator.state.issueOfflineToken("acme", CLIENT_ID);
});
afterAll(async () => {
  await emulator.close();
});

function post(version: string, query: string): Promise<Response> {
  return shopFetch(emulator, "acme", `/admin/api/${version}/graphql.json`, {
    method: "POST",
    headers: { "Content-Type": "application/json", "X-Shopify-Access-Token": token },
    body: JSON.stringify({ query }),
  });
}

describe("query cost", () => {
  it("a declared variable default is charged (and executed) as if it were sent", async () => {
    const { body } = await graphql(emulator, "acme", token, "query Page($n: Int = 100) { orders(first: $n) { nodes { id } } }");
    expect(body.errors).toBeUndefined();
    expect(body.extensions?.cost.requestedQueryCost).toBe(2 + 100);
    expect((body.data?.orders as { nodes: unknown[] }).nodes).toHaveLength(100);
  });

  it("an interface costs the most expensive of its fragments, not their sum", async () => {
    const order = emulator.state.shop("acme").orders[0]!;
    const query = `{ node(id: "gid://shopify/Order/${order.id}") {
      id
      ... on Order { customer { id } lineItems(first: 5) { nodes { id } } }
      ... on Customer { defaultAddress { id } orders(first: 3) { nodes { id } } }
    } }`;
    const { body } = await graphql(emulator, "acme", token, query);
    expect(body.errors).toBeUndefined();
    // node 1 + max(Order: customer 1 + lineItems 2 + 5, Customer: address 1 + orders 2 + 3)
    expect(body.extensions?.cost.requestedQueryCost).toBe(1 + 8);
  });

  it("a mutation costs 10", async () => {
    const { body } = await graphql(
      emulator,
      "acme",
      token,
      `mutation { customerUpdate(input: { id: "gid://shopify/Customer/1", note: "x" }) { customer { id defaultAddress { id } } userErrors { field message } } }`,
    );
    expect(body.extensions?.cost.requestedQueryCost).toBe(10);
  });
});

describe("API versions", () => {
  it("every response names the version that served it", async () => {
    const ok = await post("2026-10", "{ shop { id } }");
    expect(ok.status).toBe(200);
    expect(ok.headers.get("x-shopify-api-version")).toBe("2026-10");
    const older = await post("2026-07", "{ shop { id } }");
    expect(older.headers.get("x-shopify-api-version")).toBe("2026-07");
    const unauthorized = await shopFetch(emulator, "acme", "/admin/api/2026-10/graphql.json", { method: "POST", body: "{}" });
    expect(unauthorized.status).toBe(401);
    expect(unauthorized.headers.get("x-shopify-api-version")).toBe("2026-10");
  });

  it("a retired version is served by the oldest supported one, not refused", async () => {
    const retired = await post("2024-01", "{ shop { id } }");
    expect(retired.status).toBe(200);
    expect(retired.headers.get("x-shopify-api-version")).toBe("2026-07");
    expect(((await retired.json()) as { data: { shop: { id: string } } }).data.shop.id).toMatch(/^gid:\/\/shopify\/Shop\//);
    // Not a version at all, or one not released yet: no such API.
    expect((await post("not-a-version", "{ shop { id } }")).status).toBe(404);
    expect((await post("2099-01", "{ shop { id } }")).status).toBe(404);
  });
});

describe("search syntax", () => {
  it("an unquoted timestamp matches by the date in the shop's time zone; a quoted one by the instant", async () => {
    const shop = emulator.state.shop("acme");
    // Two orders on the same New York day (2026-03-10, EDT): 13:00Z and 20:00Z.
    const [early, late] = shop.orders.slice(0, 2);
    early!.updatedAt = "2026-03-10T13:00:00Z";
    late!.updatedAt = "2026-03-10T20:00:00Z";
    const ids = async (query: string) => {
      const { body } = await graphql(emulator, "acme", token, "query($q: String) { orders(first: 250, query: $q) { nodes { id } } }", { q: query });
      expect(body.errors).toBeUndefined();
      return (body.data?.orders as { nodes: { id: string }[] }).nodes.map((n) => n.id);
    };
    const earlyId = `gid://shopify/Order/${early!.id}`;
    const lateId = `gid://shopify/Order/${late!.id}`;
    const quoted = await ids("updated_at:>='2026-03-10T15:00:00Z' updated_at:<='2026-03-10T23:00:00Z'");
    expect(quoted).toContain(lateId);
    expect(quoted).not.toContain(earlyId);
    // Unquoted, only the date counts: 15:00Z is 2026-03-10 in New York, so the whole day matches.
    const unquoted = await ids("updated_at:>=2026-03-10T15:00:00Z updated_at:<=2026-03-10T23:00:00Z");
    expect(unquoted).toEqual(expect.arrayContaining([earlyId, lateId]));
    // 03:00Z on the 11th is still the 10th in New York.
    expect(await ids("updated_at:>2026-03-11T03:00:00Z")).not.toContain(lateId);
    expect(await ids("updated_at:>'2026-03-10T03:00:00Z'")).toContain(lateId);
  });
});

describe("the 60-day order window", () => {
  it("without read_all_orders a token sees only orders created in the last 60 days, by list, id, count and refund", async () => {
    const shop = emulator.state.shop("acme");
    const old = shop.orders.find((o) => o.refunds.length > 0)!;
    const recent = emulator.state.advance("acme", { newOrders: 3 }).orderIds;
    const limited = emulator.state.issueOfflineToken("acme", CLIENT_ID, "read_customers,read_orders");
    const query = `query($id: ID!, $refund: ID!) {
      orders(first: 250) { nodes { id } }
      order(id: $id) { id }
      refund(id: $refund) { id }
      ordersCount { count }
    }`;
    const variables = { id: `gid://shopify/Order/${old.id}`, refund: `gid://shopify/Refund/${old.refunds[0]!.id}` };
    const seen = await graphql(emulator, "acme", limited, query, variables);
    expect(seen.body.errors).toBeUndefined();
    expect((seen.body.data?.orders as { nodes: { id: string }[] }).nodes.map((n) => n.id)).toEqual(recent.map((id) => `gid://shopify/Order/${id}`));
    expect(seen.body.data).toMatchObject({ order: null, refund: null, ordersCount: { count: 3 } });
    const all = await graphql(emulator, "acme", token, query, variables);
    expect((all.body.data?.orders as { nodes: unknown[] }).nodes).toHaveLength(shop.orders.length);
    expect(all.body.data).toMatchObject({ order: { id: variables.id }, refund: { id: variables.refund }, ordersCount: { count: shop.orders.length } });
  });
});

describe("webhook redelivery", () => {
  let receiver: Server;
  let url: string;
  const received: IncomingHttpHeaders[] = [];
  beforeAll(async () => {
    receiver = createServer((req, res) => {
      received.push(req.headers);
      req.resume();
      req.on("end", () => res.writeHead(500).end());
    });
    await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
    url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/webhooks`;
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => receiver.close(() => resolve()));
  });

  it("keeps X-Shopify-Event-Id (and the webhook id) when it delivers the same webhook again", async () => {
    const first = await emulator.state.deliverWebhook("acme", "orders/updated", { id: 1 }, url);
    const again = await emulator.state.deliverWebhook("acme", "orders/updated", { id: 1 }, url, { redeliveryOf: first });
    expect(again.headers["X-Shopify-Event-Id"]).toBe(first.headers["X-Shopify-Event-Id"]);
    expect(again.headers["X-Shopify-Webhook-Id"]).toBe(first.headers["X-Shopify-Webhook-Id"]);
    expect(received.at(-1)?.["x-shopify-event-id"]).toBe(first.headers["X-Shopify-Event-Id"]);
    const other = await emulator.state.deliverWebhook("acme", "orders/updated", { id: 1 }, url);
    expect(other.headers["X-Shopify-Event-Id"]).not.toBe(first.headers["X-Shopify-Event-Id"]);
  });
});
