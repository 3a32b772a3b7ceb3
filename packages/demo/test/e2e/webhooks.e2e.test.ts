// Webhooks end to end: the emulators deliver signed notifications to the host server's
// connector routes (the URLs a merchant registers), the connectors verify the signature,
// re-read the record from the emulator and the record lands in the store. A bad signature
// is answered 401 and nothing lands. No sync runs here, so every record in the store came
// through a webhook.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { shopifyGid, shopifyOrderWebhookPayload } from "@backfill-io/emulators";
import { createApiKey } from "@backfill-io/host";
import { DEMO_MERCHANT, DEMO_SHOP, startDemoEnvironment, type DemoEnvironment } from "../../src/environment.js";
import { expectedSquare, recordSquareExchanges, squareOrderMapper, storedRecords, storedRefundSales } from "./support.js";

// The Square subscription's signature key: an x-secret setting, so OAuth start stores it
// encrypted in connection_secrets, where the connector's Secrets.get reads it.
const SQUARE_SIGNATURE_KEY = "demo-square-signature-key-0123456789";

let dataDir: string;
let env: DemoEnvironment;
const squareExchanges = recordSquareExchanges();
const connections: { shopify?: string; square?: string } = {};

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), "backfill-e2e-webhooks-"));
  env = await startDemoEnvironment({ dataDir, mode: "source", orders: 40, seed: 3 });
  connections.shopify = (await env.connect("shopify", { shop_domain: DEMO_SHOP })).connectionId;
  connections.square = (await env.connect("square", { environment: "production", webhook_signature_key: SQUARE_SIGNATURE_KEY })).connectionId;
}, 60_000);

afterAll(async () => {
  await env?.close();
  squareExchanges.close();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

const routeUrl = (connectionId: string, route: string) => new URL(`/connections/${connectionId}/routes${route}`, env.serverUrl).toString();

describe("Shopify orders/updated", () => {
  it("a delivery signed with the app's client secret lands the order in the store", async () => {
    const id = connections.shopify!;
    const shop = env.shopify.state.shop(DEMO_SHOP);
    const order = shop.orders[0]!;
    const key = `shopify:order:${shopifyGid("Order", order.id)}`;
    expect((await storedRecords(env.host, id)).sales_receipt.has(key)).toBe(false);

    const delivery = await env.shopify.state.deliverWebhook(DEMO_SHOP, "orders/updated", shopifyOrderWebhookPayload(shop, order), routeUrl(id, "/webhooks/shopify"));
    expect(delivery.status, delivery.responseBody).toBe(200);
    expect(delivery.headers["X-Shopify-Hmac-Sha256"]).toMatch(/^[A-Za-z0-9+/]{43}=$/);

    const stored = await storedRecords(env.host, id);
    expect(stored.sales_receipt.get(key)).toBe(Date.parse(order.updatedAt));
  }, 30_000);

  it("a delivery with a bad signature gets 401 and nothing lands", async () => {
    const id = connections.shopify!;
    const shop = env.shopify.state.shop(DEMO_SHOP);
    const order = shop.orders[1]!;
    const before = await env.host.store.records.count(id);

    const delivery = await env.shopify.state.deliverWebhook(DEMO_SHOP, "orders/updated", shopifyOrderWebhookPayload(shop, order), routeUrl(id, "/webhooks/shopify"), {
      signingSecretOverride: "shpss_not-the-app-secret",
    });
    expect(delivery.status).toBe(401);
    expect(await env.host.store.records.count(id)).toBe(before);
    expect((await storedRecords(env.host, id)).sales_receipt.has(`shopify:order:${shopifyGid("Order", order.id)}`)).toBe(false);
  }, 30_000);
});

describe("Shopify customers/delete and orders/delete", () => {
  it("an order and a customer deleted in the shop end as tombstones with the deletion time in the changes feed", async () => {
    const id = connections.shopify!;
    const shop = env.shopify.state.shop(DEMO_SHOP);
    const order = shop.orders[2]!;
    const orderKey = `shopify:order:${shopifyGid("Order", order.id)}`;
    // The order lands first through orders/updated, then the merchant deletes it.
    const updated = await env.shopify.state.deliverWebhook(DEMO_SHOP, "orders/updated", shopifyOrderWebhookPayload(shop, order), routeUrl(id, "/webhooks/shopify"));
    expect(updated.status, updated.responseBody).toBe(200);
    expect((await storedRecords(env.host, id)).sales_receipt.has(orderKey)).toBe(true);

    const customer = shop.customers.find((c) => !shop.orders.some((o) => o.customerId === c.id))!;
    const customerKey = `shopify:customer:${shopifyGid("Customer", customer.id)}`;
    const deliveries = [];
    for (const deletion of [env.shopify.state.deleteRecord(DEMO_SHOP, "order", order.id), env.shopify.state.deleteRecord(DEMO_SHOP, "customer", customer.id)]) {
      const delivery = await env.shopify.state.deliverWebhook(DEMO_SHOP, deletion.topic, deletion.payload, routeUrl(id, "/webhooks/shopify"));
      expect(delivery.status, delivery.responseBody).toBe(200);
      deliveries.push(delivery);
    }

    const stored = await storedRecords(env.host, id);
    expect(stored.sales_receipt.has(orderKey)).toBe(false);
    const changes = await env.host.store.records.listChanges(id, { limit: 10_000 });
    const tombstone = (key: string) => changes.find((r) => r.idempotency_key === key);
    expect(tombstone(orderKey)).toMatchObject({
      kind: "sales_receipt",
      tombstone_reason: "deleted",
      payload: null,
      deleted_at: Date.parse(deliveries[0]!.headers["X-Shopify-Triggered-At"]!),
    });
    expect(tombstone(customerKey)).toMatchObject({ kind: "customer", tombstone_reason: "deleted", deleted_at: Date.parse(deliveries[1]!.headers["X-Shopify-Triggered-At"]!) });
  }, 30_000);
});

describe("Square order.updated", () => {
  /** Orders the Square connector maps (not DRAFT, expressible as a sales receipt). */
  async function mappableOrderIds(): Promise<string[]> {
    const expected = expectedSquare(env.square.state.snapshot(DEMO_MERCHANT), await squareOrderMapper());
    return [...expected.sales_receipt.keys()].map((k) => k.replace(/^square:order:/, ""));
  }

  it("a delivery signed over the notification URL the host passes lands the order in the store", async () => {
    const id = connections.square!;
    const [orderId] = await mappableOrderIds();
    const order = env.square.state.snapshot(DEMO_MERCHANT).orders.find((o) => o.id === orderId)!;
    const key = `square:order:${orderId}`;
    expect((await storedRecords(env.host, id)).sales_receipt.has(key)).toBe(false);

    const url = routeUrl(id, "/webhooks/square");
    // The host hands the route the URL the request arrived at (x-backfill-notification-url):
    // the URL Square signs is the subscription's, the same one here.
    const delivery = await env.square.state.deliverWebhook(url, url, SQUARE_SIGNATURE_KEY, env.square.state.webhookEvent(DEMO_MERCHANT, "order.updated", orderId));
    expect(delivery.status, delivery.body).toBe(200);

    const stored = await storedRecords(env.host, id);
    expect(stored.sales_receipt.get(key)).toBe(Date.parse(order.updated_at));
  }, 30_000);

  it("a delivery signed with another key gets 401 and nothing lands", async () => {
    const id = connections.square!;
    const [, orderId] = await mappableOrderIds();
    const before = await env.host.store.records.count(id);
    const url = routeUrl(id, "/webhooks/square");

    const delivery = await env.square.state.deliverWebhook(url, url, "not-the-signature-key", env.square.state.webhookEvent(DEMO_MERCHANT, "order.updated", orderId));
    expect(delivery.status).toBe(401);
    expect(await env.host.store.records.count(id)).toBe(before);
    expect((await storedRecords(env.host, id)).sales_receipt.has(`square:order:${orderId}`)).toBe(false);
  }, 30_000);
});

describe("Square refunds, return orders and deletions", () => {
  const deliver = (type: Parameters<typeof env.square.state.webhookEvent>[1], id: string) => {
    const url = routeUrl(connections.square!, "/webhooks/square");
    return env.square.state.deliverWebhook(url, url, SQUARE_SIGNATURE_KEY, env.square.state.webhookEvent(DEMO_MERCHANT, type, id));
  };

  it("order.created for a refund's return order lands no sales receipt; refund.created lands the refund linked to the sale", async () => {
    const id = connections.square!;
    const snapshot = env.square.state.snapshot(DEMO_MERCHANT);
    const refund = snapshot.refunds.find((r) => r.status === "COMPLETED" && !r.unlinked)!;
    const returnOrder = snapshot.orders.find((o) => o.id === refund.order_id)!;
    const created = await deliver("order.created", returnOrder.id);
    expect(created.status, created.body).toBe(200);
    expect((await storedRecords(env.host, id)).sales_receipt.has(`square:order:${returnOrder.id}`)).toBe(false);

    const refunded = await deliver("refund.created", refund.id);
    expect(refunded.status, refunded.body).toBe(200);
    expect((await storedRefundSales(env.host, id)).get(`square:refund:${refund.id}`)).toBe(returnOrder.returns![0]!.source_order_id);
  }, 30_000);

  it("an unlinked refund lands with no sale", async () => {
    const refund = env.square.state.snapshot(DEMO_MERCHANT).refunds.find((r) => r.unlinked)!;
    expect((await deliver("refund.created", refund.id)).status).toBe(200);
    const sales = await storedRefundSales(env.host, connections.square!);
    expect(sales.has(`square:refund:${refund.id}`)).toBe(true);
    expect(sales.get(`square:refund:${refund.id}`)).toBeNull();
  }, 30_000);

  it("customer.deleted (and a merge) turns the stored customer into a tombstone with the deletion time", async () => {
    const id = connections.square!;
    const [gone, merged, survivor] = env.square.state.snapshot(DEMO_MERCHANT).customers;
    for (const customer of [gone!, merged!]) expect((await deliver("customer.updated", customer.id)).status).toBe(200);
    expect((await storedRecords(env.host, id)).customer.has(`square:customer:${gone!.id}`)).toBe(true);

    env.square.state.deleteCustomer(DEMO_MERCHANT, gone!.id);
    env.square.state.deleteCustomer(DEMO_MERCHANT, merged!.id, survivor!.id);
    for (const customer of [gone!, merged!]) {
      const delivery = await deliver("customer.deleted", customer.id);
      expect(delivery.status, delivery.body).toBe(200);
    }
    const live = await storedRecords(env.host, id);
    const all = await env.host.store.records.list(id, { kind: "customer", includeTombstoned: true });
    for (const customer of [gone!, merged!]) {
      expect(live.customer.has(`square:customer:${customer.id}`)).toBe(false);
      const tombstone = all.find((row) => row.idempotency_key === `square:customer:${customer.id}`)!;
      expect(tombstone.tombstoned_at).not.toBeNull();
      expect(tombstone.deleted_at).toBeGreaterThan(0);
    }
    // The records API's changes feed shows them as deletions, so a mirror of the store drops them too.
    const key = (await createApiKey(env.host.store, "e2e reader")).key;
    const feed = await fetch(new URL(`/api/records?connection=${id}&entity=customer&modifiedAfter=0&limit=1000`, env.serverUrl), { headers: { authorization: `Bearer ${key}` } });
    const { changes } = (await feed.json()) as { changes: { key: string; deleted?: boolean; reason?: string; deletedAt?: string }[] };
    for (const customer of [gone!, merged!]) {
      expect(changes.find((change) => change.key === `square:customer:${customer.id}`)).toMatchObject({ deleted: true, reason: "deleted", deletedAt: expect.any(String) });
    }
  }, 30_000);
});

it("every body the Square emulator served here, and every request sent to it, parses with the official square SDK's schemas", () => {
  const report = squareExchanges.check();
  expect(report.violations.slice(0, 20)).toEqual([]);
  expect(report.checked).toBeGreaterThan(0);
});
