// webhooks/shopify: signature good/bad/missing, data topics, uninstall, compliance topics.
import { describe, expect, it } from "vitest";
import type { ConnectorTestRuntime } from "@backfill-io/sdk/testing";
import { POST as webhook, config } from "../src/api/webhooks/shopify.js";
import { POST as ordersRoute } from "../src/api/sync/orders.js";
import { POST as customersRoute } from "../src/api/sync/customers.js";
import {
  ACCESS_CANARY,
  GRAPHQL_URL,
  REFRESH_CANARY,
  STORE_WEBHOOK_SECRET,
  WEBHOOK_SECRET,
  connectedRuntime,
  deliveryHeaders,
  fixture,
  scriptPassCount,
  signed,
  expectNoLeaksAfterEach,
} from "./helpers.js";
import type { OrderFixture, WebhookPayloadFixture } from "./fixture-shapes.js";

let runtime: ConnectorTestRuntime;
expectNoLeaksAfterEach([ACCESS_CANARY, REFRESH_CANARY, WEBHOOK_SECRET, STORE_WEBHOOK_SECRET]);

function delivery(topic: string, body: unknown, opts: { hmac?: string | null; secret?: string } = {}) {
  const s = signed(body, opts.secret);
  const headers = deliveryHeaders(topic);
  if (opts.hmac !== null) headers["X-Shopify-Hmac-Sha256"] = opts.hmac ?? s.hmac;
  return { method: "POST", path: "/webhooks/shopify", headers, rawBody: s.rawBody };
}

describe("POST /webhooks/shopify", () => {
  it("is a webhook route", () => expect(config).toEqual({ auth: "webhook" }));

  it("orders/updated with a good signature: re-reads the order and ingests it", async () => {
    runtime = connectedRuntime();
    runtime.http.postOnce(GRAPHQL_URL, { body: fixture("order-1001.json") });
    const response = await runtime.call(webhook, delivery("orders/updated", fixture("webhook-orders-updated.json")));
    expect(response.status).toBe(200);
    // The order's sales receipt and its two refund receipts.
    expect(await response.json()).toMatchObject({ ok: true, ingested: 3 });
    expect((runtime.http.calls[0]!.body as { variables: unknown }).variables).toEqual({ id: "gid://shopify/Order/1001" });
    // The host attached the token (the route never held it).
    expect(runtime.http.calls[0]!.opts.headers["X-Shopify-Access-Token"]).toBe(ACCESS_CANARY);
    expect(runtime.http.calls[0]!.opts.headers.Authorization).toBeUndefined();
    expect(runtime.storedRecords().map((r) => r.idempotencyKey)).toEqual([
      "shopify:order:gid://shopify/Order/1001",
      "shopify:refund:gid://shopify/Refund/801",
      "shopify:refund:gid://shopify/Refund/802",
    ]);
  });

  const bad: [string, { hmac?: string | null; secret?: string }][] = [
    ["missing", { hmac: null }],
    ["signed with another secret", { secret: "another-secret-entirely" }],
    ["malformed", { hmac: "not-base64!!" }],
    ["empty", { hmac: "" }],
  ];
  for (const [name, opts] of bad) {
    it(`signature ${name}: 401, nothing fetched or ingested`, async () => {
      runtime = connectedRuntime();
      const response = await runtime.call(webhook, delivery("orders/updated", fixture("webhook-orders-updated.json"), opts));
      expect(response.status).toBe(401);
      expect(runtime.http.calls).toHaveLength(0);
      expect(runtime.batches).toHaveLength(0);
    });
  }

  it("a body altered after signing: 401", async () => {
    runtime = connectedRuntime();
    const d = delivery("orders/updated", fixture("webhook-orders-updated.json"));
    const response = await runtime.call(webhook, { ...d, rawBody: d.rawBody.replace("88.89", "0.01") });
    expect(response.status).toBe(401);
    expect(runtime.batches).toHaveLength(0);
  });

  it("no webhook secret available: 401, nothing ingested", async () => {
    runtime = connectedRuntime({ secrets: {} });
    const response = await runtime.call(webhook, delivery("orders/updated", fixture("webhook-orders-updated.json")));
    expect(response.status).toBe(401);
    expect(await response.json()).toMatchObject({ error: { details: { reason: "no_secret" } } });
  });

  describe("with the store's own webhook key set (webhook_secret) beside the app's client secret", () => {
    const bothKeys = () => connectedRuntime({ secrets: { app_webhook_secret: WEBHOOK_SECRET, webhook_secret: STORE_WEBHOOK_SECRET } });

    for (const [name, secret] of [
      ["the app's client secret", WEBHOOK_SECRET],
      ["the store's key", STORE_WEBHOOK_SECRET],
    ] as const) {
      it(`orders/updated signed with ${name}: accepted and ingested`, async () => {
        runtime = bothKeys();
        runtime.http.postOnce(GRAPHQL_URL, { body: fixture("order-1001.json") });
        const response = await runtime.call(webhook, delivery("orders/updated", fixture("webhook-orders-updated.json"), { secret }));
        expect(response.status).toBe(200);
        expect(runtime.storedRecords()).toHaveLength(3);
      });
    }

    for (const [topic, file] of [
      ["app/uninstalled", "webhook-app-uninstalled.json"],
      ["customers/redact", "webhook-customers-redact.json"],
      ["shop/redact", "webhook-shop-redact.json"],
    ] as const) {
      it(`${topic} signed with the store's key (not the app's): 401, nothing revoked or redacted`, async () => {
        runtime = bothKeys();
        const response = await runtime.call(webhook, delivery(topic, fixture<WebhookPayloadFixture>(file), { secret: STORE_WEBHOOK_SECRET }));
        expect(response.status).toBe(401);
        expect(runtime.statusChanges).toHaveLength(0);
        expect(runtime.redactions).toHaveLength(0);
      });
    }
  });

  it("refunds/create: re-reads the order's refunds and ingests refund receipts", async () => {
    runtime = connectedRuntime();
    runtime.http.postOnce(GRAPHQL_URL, { body: fixture("single-order-refunds-1001.json") });
    const response = await runtime.call(webhook, delivery("refunds/create", fixture("webhook-refunds-create.json")));
    expect(await response.json()).toMatchObject({ ok: true, ingested: 2 });
    expect((runtime.http.calls[0]!.body as { variables: unknown }).variables).toEqual({ id: "gid://shopify/Order/1001" });
    expect(runtime.records("refund_receipt").map((r) => r.refund_id)).toEqual(["gid://shopify/Refund/801", "gid://shopify/Refund/802"]);
  });

  it("customers/update: re-reads the customer and ingests it", async () => {
    runtime = connectedRuntime();
    runtime.http.postOnce(GRAPHQL_URL, { body: fixture("customer-501.json") });
    const response = await runtime.call(webhook, delivery("customers/update", fixture("webhook-customers-update.json")));
    expect(await response.json()).toMatchObject({ ok: true, ingested: 1 });
    expect(runtime.records("customer")[0]).toMatchObject({ customer_id: "gid://shopify/Customer/501" });
  });

  it("orders/updated for an order with more line items than the document reads: the rest is read, not skipped", async () => {
    runtime = connectedRuntime();
    const order = fixture<OrderFixture>("order-1001.json");
    const lines = order.data.order.lineItems.nodes;
    order.data.order.lineItems = { pageInfo: { hasNextPage: true, endCursor: "li-1" }, nodes: lines.slice(0, 1) };
    runtime.http.postOnce(GRAPHQL_URL, { body: order });
    runtime.http.postOnce(GRAPHQL_URL, { body: { data: { order: { lineItems: { pageInfo: { hasNextPage: false, endCursor: null }, nodes: lines.slice(1) } } } } });
    const response = await runtime.call(webhook, delivery("orders/updated", fixture("webhook-orders-updated.json")));
    expect(await response.json()).toMatchObject({ ok: true, ingested: 3 });
    expect((runtime.http.calls[1]!.body as { variables: unknown }).variables).toEqual({ id: "gid://shopify/Order/1001", first: 100, after: "li-1" });
    expect(runtime.http.calls[1]!.opts.headers["X-Shopify-Access-Token"]).toBe(ACCESS_CANARY);
  });

  it("a data topic without a usable token is acknowledged and left to the next sync", async () => {
    runtime = connectedRuntime({ oauth: { accessToken: null } });
    const response = await runtime.call(webhook, delivery("orders/updated", fixture("webhook-orders-updated.json")));
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ ingested: 0, deferred: "reauth_required" });
    expect(runtime.http.calls).toHaveLength(0);
  });

  it("a data topic whose token Shopify rejects is acknowledged and left to the next sync", async () => {
    runtime = connectedRuntime();
    runtime.http.postOnce(GRAPHQL_URL, { status: 401, body: { errors: "[API] Invalid API key or access token (unrecognized login or wrong password)" } });
    const response = await runtime.call(webhook, delivery("orders/updated", fixture("webhook-orders-updated.json")));
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ ingested: 0, deferred: "token_rejected" });
    expect(runtime.storedRecords()).toHaveLength(0);
  });

  it("app/uninstalled (signed with the app's client secret, a store key set too): marks the connection revoked; syncs then need reauthorization", async () => {
    runtime = connectedRuntime({ secrets: { app_webhook_secret: WEBHOOK_SECRET, webhook_secret: STORE_WEBHOOK_SECRET } });
    const response = await runtime.call(webhook, delivery("app/uninstalled", fixture("webhook-app-uninstalled.json")));
    expect(response.status).toBe(200);
    expect(runtime.statusChanges).toEqual([{ status: "revoked", reason: expect.stringContaining("app/uninstalled") }]);
    const sync = await runtime.call(ordersRoute);
    expect(await sync.json()).toMatchObject({ error: { code: "reauth_required", details: { reason: "revoked" } } });
  });

  it("customers/data_request: 200, and no customer data in the log", async () => {
    runtime = connectedRuntime();
    const response = await runtime.call(webhook, delivery("customers/data_request", fixture("webhook-customers-data-request.json")));
    expect(response.status).toBe(200);
    const logged = JSON.stringify(runtime.logs);
    expect(logged).toContain("customer data request received");
    for (const pii of ["ayumi@example.com", "+81312345678"]) expect(logged).not.toContain(pii);
    expect(runtime.redactions).toHaveLength(0);
  });

  it("customers/redact: redacts the customer's records and the orders named (guest orders and their refunds too)", async () => {
    runtime = connectedRuntime();
    scriptPassCount(runtime);
    runtime.http.postOnce(GRAPHQL_URL, { body: fixture("customers-page-1.json") });
    scriptPassCount(runtime);
    runtime.http.postOnce(GRAPHQL_URL, { body: fixture("orders-page-1.json") });
    runtime.http.postOnce(GRAPHQL_URL, { body: fixture("orders-page-2.json") });
    await runtime.call(customersRoute);
    // Two pages of orders, each order with its refunds.
    await runtime.call(ordersRoute);
    await runtime.call(ordersRoute);
    expect(runtime.records("customer")).toHaveLength(2);
    expect(runtime.records("sales_receipt")).toHaveLength(3);
    // 803 is a refund of guest order 1002: no customer id to find it by.
    expect(runtime.records("refund_receipt").find((r) => r.refund_id === "gid://shopify/Refund/803")).toMatchObject({ customer_id: null });

    const response = await runtime.call(webhook, delivery("customers/redact", fixture("webhook-customers-redact.json")));
    expect(response.status).toBe(200);
    expect(runtime.redactions).toEqual([{ customerId: "gid://shopify/Customer/501" }, { receiptIds: ["gid://shopify/Order/1001", "gid://shopify/Order/1002"] }]);
    // Refunds of 1001 (customer 501) and 1002 (guest) are gone; 804 (customer 502's order) stays.
    expect(runtime.records("refund_receipt").map((r) => r.refund_id)).toEqual(["gid://shopify/Refund/804"]);
    // Customer 501 and its order are gone, so is guest order 1002; customer 502 and its order 1003 stay.
    expect(runtime.records("customer").map((c) => c.customer_id)).toEqual(["gid://shopify/Customer/502"]);
    expect(runtime.records("sales_receipt").map((r) => r.receipt_id)).toEqual(["gid://shopify/Order/1003"]);
    expect(JSON.stringify(runtime.logs)).not.toContain("ayumi@example.com");
  });

  it("shop/redact: redacts every record of the connection", async () => {
    runtime = connectedRuntime();
    scriptPassCount(runtime);
    runtime.http.postOnce(GRAPHQL_URL, { body: fixture("customers-page-2.json") });
    await runtime.call(customersRoute);
    const response = await runtime.call(webhook, delivery("shop/redact", fixture("webhook-shop-redact.json")));
    expect(await response.json()).toMatchObject({ ok: true, redacted: 1 });
    expect(runtime.redactions).toEqual([{ all: true }]);
    expect(runtime.records("customer")).toHaveLength(0);
  });

  it("a webhook for another shop, correctly signed, is refused", async () => {
    runtime = connectedRuntime();
    const d = delivery("orders/updated", fixture("webhook-orders-updated.json"));
    const response = await runtime.call(webhook, { ...d, headers: { ...d.headers, "X-Shopify-Shop-Domain": "evil.myshopify.com" } });
    expect(response.status).toBe(400);
    expect(runtime.batches).toHaveLength(0);
  });
});

describe("deletions: customers/delete and orders/delete", () => {
  function deletion(topic: string, body: unknown) {
    const d = delivery(topic, body);
    // Shopify's time of the deletion: the tombstone carries it.
    return { ...d, headers: { ...d.headers, "X-Shopify-Triggered-At": new Date(Date.now() - 60_000).toISOString() } };
  }

  it("customers/delete ends as a customer tombstone deleted at X-Shopify-Triggered-At", async () => {
    runtime = connectedRuntime();
    runtime.http.postOnce(GRAPHQL_URL, { body: fixture("customer-501.json") });
    expect((await runtime.call(webhook, delivery("customers/update", fixture("webhook-customers-update.json")))).status).toBe(200);
    const d = deletion("customers/delete", fixture("webhook-customers-delete.json"));
    const response = await runtime.call(webhook, d);
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ ok: true, topic: "customers/delete", deleted: 1 });
    // Nothing is re-read: the customer is gone at Shopify.
    expect(runtime.http.calls).toHaveLength(1);
    const stored = runtime.storedRecords().find((r) => r.idempotencyKey === "shopify:customer:gid://shopify/Customer/501")!;
    expect(stored).toMatchObject({ kind: "customer", redacted: true, deletedAt: Date.parse(d.headers["X-Shopify-Triggered-At"]) });
  });

  it("orders/delete ends as a sales_receipt tombstone deleted at X-Shopify-Triggered-At", async () => {
    runtime = connectedRuntime();
    runtime.http.postOnce(GRAPHQL_URL, { body: fixture("order-1001.json") });
    expect((await runtime.call(webhook, delivery("orders/updated", fixture("webhook-orders-updated.json")))).status).toBe(200);
    const d = deletion("orders/delete", fixture("webhook-orders-delete.json"));
    const response = await runtime.call(webhook, d);
    expect(response.status).toBe(200);
    const stored = runtime.storedRecords().find((r) => r.idempotencyKey === "shopify:order:gid://shopify/Order/1001")!;
    expect(stored).toMatchObject({ kind: "sales_receipt", redacted: true, deletedAt: Date.parse(d.headers["X-Shopify-Triggered-At"]) });
  });

  it("a delete for a record never synced still leaves a tombstone (the feed tells consumers)", async () => {
    runtime = connectedRuntime();
    const response = await runtime.call(webhook, deletion("orders/delete", { id: 4242 }));
    expect(response.status).toBe(200);
    expect(runtime.deletions.map((x) => x.idempotencyKey)).toEqual(["shopify:order:gid://shopify/Order/4242"]);
  });

  // Attacks: a forged or malformed deletion deletes nothing.
  it("a customers/delete with a bad signature: 401, nothing deleted", async () => {
    runtime = connectedRuntime();
    const response = await runtime.call(webhook, delivery("customers/delete", fixture("webhook-customers-delete.json"), { secret: "not-the-app-secret" }));
    expect(response.status).toBe(401);
    expect(runtime.deletions).toHaveLength(0);
  });

  for (const [name, topic, body] of [
    ["orders/delete without an id", "orders/delete", {}],
    ["orders/delete with a non-numeric id", "orders/delete", { id: "1001; drop" }],
    ["customers/delete whose GID is an order's", "customers/delete", { id: 501, admin_graphql_api_id: "gid://shopify/Order/501" }],
    // The topic header is unsigned: a genuine update body must not become a deletion.
    ["an orders/updated body replayed as orders/delete", "orders/delete", fixture("webhook-orders-updated.json")],
    ["a customers/update body replayed as customers/delete", "customers/delete", fixture("webhook-customers-update.json")],
  ] as const) {
    it(`${name}: 400 webhook_payload_topic_mismatch, nothing deleted`, async () => {
      runtime = connectedRuntime();
      const response = await runtime.call(webhook, delivery(topic, body));
      expect(response.status).toBe(400);
      expect(await response.json()).toMatchObject({ error: { code: "webhook_payload_topic_mismatch" } });
      expect(runtime.deletions).toHaveLength(0);
    });
  }
});
