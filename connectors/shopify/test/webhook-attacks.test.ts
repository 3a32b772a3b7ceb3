// webhooks/shopify under attack: genuine, correctly signed bodies replayed with a swapped
// (unsigned) topic, for another shop, stale or future-dated; replays of processed
// deliveries; an older version of a record; bodies whose bytes are not plain UTF-8.
import { describe, expect, it } from "vitest";
import type { ConnectorTestRuntime } from "@backfill-io/sdk/testing";
import { POST as webhook } from "../src/api/webhooks/shopify.js";
import { POST as ordersRoute } from "../src/api/sync/orders.js";
import { POST as customersRoute } from "../src/api/sync/customers.js";
import {
  SHOPIFY_WEBHOOK_MAX_AGE_MS,
  WEBHOOK_FROM_FUTURE,
  WEBHOOK_ID_MISSING,
  WEBHOOK_PAYLOAD_TOPIC_MISMATCH,
  WEBHOOK_SHOP_MISMATCH,
  WEBHOOK_SHOP_MISSING,
  WEBHOOK_TOO_OLD,
  WEBHOOK_TRIGGERED_AT_INVALID,
} from "../src/lib/webhook-delivery.js";
import {
  ACCESS_CANARY,
  GRAPHQL_URL,
  REFRESH_CANARY,
  STORE_WEBHOOK_SECRET,
  WEBHOOK_SECRET,
  connectedRuntime,
  deliveryHeaders,
  expectNoLeaksAfterEach,
  fixture,
  scriptPassCount,
  signBytes,
} from "./helpers.js";
import type { OrderFixture, WebhookPayloadFixture } from "./fixture-shapes.js";

let runtime: ConnectorTestRuntime;
expectNoLeaksAfterEach([ACCESS_CANARY, REFRESH_CANARY, WEBHOOK_SECRET, STORE_WEBHOOK_SECRET]);

const ORDER_BODY = fixture<WebhookPayloadFixture>("webhook-orders-updated.json");

/** A correctly signed delivery of `bytes` (or `body` as JSON), with Shopify's headers for `topic` and `headers` over them. */
function delivery(topic: string, body: unknown, headers: Record<string, string> = {}, bytes?: Uint8Array) {
  const raw = bytes ?? new TextEncoder().encode(JSON.stringify(body));
  const signedHeaders: Record<string, string> = { ...deliveryHeaders(topic, headers), "X-Shopify-Hmac-Sha256": signBytes(raw) };
  return { method: "POST", path: "/webhooks/shopify", headers: signedHeaders, rawBodyBytes: raw };
}

/** A runtime holding two synced customers and two orders (the records an attack would destroy). */
async function runtimeWithRecords() {
  const r = connectedRuntime();
  scriptPassCount(r);
  r.http.postOnce(GRAPHQL_URL, { body: fixture("customers-page-1.json") });
  scriptPassCount(r);
  r.http.postOnce(GRAPHQL_URL, { body: fixture("orders-page-1.json") });
  await r.call(customersRoute);
  await r.call(ordersRoute);
  // Two customers, two orders and the orders' three refunds.
  expect(r.storedRecords()).toHaveLength(7);
  return r;
}

async function expectRefused(response: Response, code: string) {
  expect(response.status).toBe(400);
  expect(await response.json()).toMatchObject({ error: { code } });
}

function expectNothingDone(r: ConnectorTestRuntime, before: { calls: number; batches: number }) {
  expect(r.redactions).toEqual([]);
  expect(r.statusChanges).toEqual([]);
  expect(r.http.calls).toHaveLength(before.calls);
  expect(r.batches).toHaveLength(before.batches);
  expect(r.storedRecords().filter((s) => s.redacted)).toEqual([]);
  expect(r.processedDeliveries()).toEqual([]);
}

describe("topic swap: a genuine body under another X-Shopify-Topic", () => {
  const swaps: [string, string, unknown][] = [
    ["orders/create", "shop/redact", ORDER_BODY],
    ["orders/create", "app/uninstalled", ORDER_BODY],
    ["orders/create", "customers/redact", ORDER_BODY],
    ["customers/data_request", "customers/redact", fixture("webhook-customers-data-request.json")],
    ["customers/redact", "shop/redact", fixture("webhook-customers-redact.json")],
    ["shop/redact", "app/uninstalled", fixture("webhook-shop-redact.json")],
    ["app/uninstalled", "shop/redact", fixture("webhook-app-uninstalled.json")],
    ["customers/update", "orders/updated", fixture("webhook-customers-update.json")],
    ["orders/updated", "customers/update", ORDER_BODY],
    ["orders/updated", "refunds/create", ORDER_BODY],
  ];
  for (const [genuine, swapped, body] of swaps) {
    it(`${genuine} replayed as ${swapped}: 400 ${WEBHOOK_PAYLOAD_TOPIC_MISMATCH}, nothing redacted, revoked or fetched`, async () => {
      runtime = await runtimeWithRecords();
      const before = { calls: runtime.http.calls.length, batches: runtime.batches.length };
      await expectRefused(await runtime.call(webhook, delivery(swapped, body)), WEBHOOK_PAYLOAD_TOPIC_MISMATCH);
      expectNothingDone(runtime, before);
      expect(runtime.records("customer")).toHaveLength(2);
    });
  }

  for (const [topic, file, field] of [
    ["shop/redact", "webhook-shop-redact.json", "shop_domain"],
    ["customers/redact", "webhook-customers-redact.json", "shop_domain"],
    ["app/uninstalled", "webhook-app-uninstalled.json", "myshopify_domain"],
  ] as const) {
    it(`${topic} whose payload names another shop (${field}): refused`, async () => {
      runtime = await runtimeWithRecords();
      const before = { calls: runtime.http.calls.length, batches: runtime.batches.length };
      const body = { ...fixture<WebhookPayloadFixture>(file), [field]: "other.myshopify.com" };
      await expectRefused(await runtime.call(webhook, delivery(topic, body)), WEBHOOK_PAYLOAD_TOPIC_MISMATCH);
      expectNothingDone(runtime, before);
    });
  }
});

describe("shop and freshness headers", () => {
  const now = () => Date.now();
  const cases: [string, Record<string, string>, string][] = [
    ["no X-Shopify-Shop-Domain", { "X-Shopify-Shop-Domain": "" }, WEBHOOK_SHOP_MISSING],
    ["another shop's X-Shopify-Shop-Domain", { "X-Shopify-Shop-Domain": "evil.myshopify.com" }, WEBHOOK_SHOP_MISMATCH],
    ["no X-Shopify-Triggered-At", { "X-Shopify-Triggered-At": "" }, WEBHOOK_TRIGGERED_AT_INVALID],
    ["a Triggered-At that is no date", { "X-Shopify-Triggered-At": "yesterday" }, WEBHOOK_TRIGGERED_AT_INVALID],
    ["a delivery older than the window", { "X-Shopify-Triggered-At": new Date(now() - SHOPIFY_WEBHOOK_MAX_AGE_MS - 60_000).toISOString() }, WEBHOOK_TOO_OLD],
    ["a delivery dated in the future", { "X-Shopify-Triggered-At": new Date(now() + 10 * 60_000).toISOString() }, WEBHOOK_FROM_FUTURE],
    ["no X-Shopify-Webhook-Id", { "X-Shopify-Webhook-Id": "" }, WEBHOOK_ID_MISSING],
  ];
  for (const [name, headers, code] of cases) {
    it(`shop/redact with ${name}: 400 ${code}, nothing redacted`, async () => {
      runtime = await runtimeWithRecords();
      const before = { calls: runtime.http.calls.length, batches: runtime.batches.length };
      await expectRefused(await runtime.call(webhook, delivery("shop/redact", fixture("webhook-shop-redact.json"), headers)), code);
      expectNothingDone(runtime, before);
    });
  }

  it("a delivery triggered a minute ago, with Shopify's nanosecond timestamp, is accepted", async () => {
    runtime = connectedRuntime();
    const at = new Date(Date.now() - 60_000).toISOString().replace("Z", "123456Z");
    const response = await runtime.call(webhook, delivery("customers/data_request", fixture("webhook-customers-data-request.json"), { "X-Shopify-Triggered-At": at }));
    expect(response.status).toBe(200);
  });
});

describe("replays of processed deliveries", () => {
  it("orders/updated delivered twice (same webhook id): the second answers 200 and fetches and ingests nothing", async () => {
    runtime = connectedRuntime();
    runtime.http.postOnce(GRAPHQL_URL, { body: fixture("order-1001.json") });
    const first = delivery("orders/updated", ORDER_BODY);
    expect((await runtime.call(webhook, first)).status).toBe(200);
    const replay = await runtime.call(webhook, { ...first, headers: { ...first.headers, "X-Shopify-Triggered-At": new Date().toISOString() } });
    expect(replay.status).toBe(200);
    expect(await replay.json()).toMatchObject({ ok: true, duplicate: true });
    expect(runtime.http.calls).toHaveLength(1);
    // The first delivery's two batches (the sales receipt, its refund receipts); none from the replay.
    expect(runtime.batches).toHaveLength(2);
  });

  it("a redelivery with a new webhook id but the same event id is a duplicate too", async () => {
    runtime = connectedRuntime();
    const first = delivery("app/uninstalled", fixture("webhook-app-uninstalled.json"));
    expect((await runtime.call(webhook, first)).status).toBe(200);
    runtime.oauthState!.blockedReason = undefined; // the merchant reinstalled
    const again = delivery("app/uninstalled", fixture("webhook-app-uninstalled.json"), { "X-Shopify-Event-Id": first.headers["X-Shopify-Event-Id"]! });
    expect(await (await runtime.call(webhook, again)).json()).toMatchObject({ duplicate: true });
    expect(runtime.statusChanges).toHaveLength(1);
  });

  it("shop/redact replayed after the shop synced again: nothing is redacted a second time", async () => {
    runtime = connectedRuntime();
    const redact = delivery("shop/redact", fixture("webhook-shop-redact.json"));
    expect((await runtime.call(webhook, redact)).status).toBe(200);
    expect(runtime.redactions).toHaveLength(1);
    expect(await (await runtime.call(webhook, redact)).json()).toMatchObject({ duplicate: true });
    expect(runtime.redactions).toHaveLength(1);
  });

  it("a captured shop/redact replayed with fresh unsigned headers (new webhook id, event id, time) is still a duplicate", async () => {
    runtime = connectedRuntime();
    const body = fixture("webhook-shop-redact.json");
    expect((await runtime.call(webhook, delivery("shop/redact", body))).status).toBe(200);
    const rewritten = delivery("shop/redact", body, {
      "X-Shopify-Webhook-Id": "attacker-fresh-id",
      "X-Shopify-Event-Id": "attacker-fresh-event",
      "X-Shopify-Triggered-At": new Date().toISOString(),
    });
    expect(await (await runtime.call(webhook, rewritten)).json()).toMatchObject({ duplicate: true });
    expect(runtime.redactions).toHaveLength(1);
  });

  it("Shopify's retries over 4 hours are still accepted (compliance topics must not be lost to an outage)", async () => {
    runtime = connectedRuntime();
    const late = delivery("customers/data_request", fixture("webhook-customers-data-request.json"), {
      "X-Shopify-Triggered-At": new Date(Date.now() - 4 * 3600_000).toISOString(),
    });
    expect((await runtime.call(webhook, late)).status).toBe(200);
  });

  it("a delivery whose processing fails is not marked: Shopify's retry is processed", async () => {
    runtime = connectedRuntime();
    const d = delivery("orders/updated", ORDER_BODY);
    runtime.http.postOnce(GRAPHQL_URL, { status: 503, body: "unavailable" });
    expect((await runtime.call(webhook, d)).ok).toBe(false);
    expect(runtime.processedDeliveries()).toEqual([]);
    runtime.http.postOnce(GRAPHQL_URL, { body: fixture("order-1001.json") });
    expect(await (await runtime.call(webhook, d)).json()).toMatchObject({ ok: true, ingested: 3 });
    expect(runtime.processedDeliveries()).toHaveLength(2);
  });

  it("a forged delivery carrying a genuine webhook id does not burn it", async () => {
    runtime = connectedRuntime();
    const genuine = delivery("customers/data_request", fixture("webhook-customers-data-request.json"));
    const forged = { ...genuine, headers: { ...genuine.headers, "X-Shopify-Hmac-Sha256": signBytes(genuine.rawBodyBytes, "attacker-secret") } };
    expect((await runtime.call(webhook, forged)).status).toBe(401);
    expect(runtime.processedDeliveries()).toEqual([]);
    expect(await (await runtime.call(webhook, genuine)).json()).not.toMatchObject({ duplicate: true });
  });
});

describe("an older version never replaces a newer one", () => {
  it("orders/updated re-reading an order older than the stored one: the stored order stays", async () => {
    runtime = await runtimeWithRecords();
    const stored = runtime.records("sales_receipt").find((r) => r.receipt_id === "gid://shopify/Order/1001")!;
    const older = fixture<OrderFixture>("order-1001.json");
    older.data.order.updatedAt = "2026-01-01T00:00:00Z";
    older.data.order.name = "#1001-old";
    runtime.http.postOnce(GRAPHQL_URL, { body: older });
    expect((await runtime.call(webhook, delivery("orders/updated", ORDER_BODY))).status).toBe(200);
    expect(runtime.batches.filter((b) => b.kind === "sales_receipt").at(-1)!.decisions).toEqual(["stale"]);
    expect(runtime.records("sales_receipt").find((r) => r.receipt_id === "gid://shopify/Order/1001")).toEqual(stored);
  });
});

describe("signatures over the raw bytes", () => {
  it("a correctly signed body with a UTF-8 BOM is accepted", async () => {
    runtime = connectedRuntime();
    runtime.http.postOnce(GRAPHQL_URL, { body: fixture("order-1001.json") });
    const bytes = new Uint8Array([0xef, 0xbb, 0xbf, ...new TextEncoder().encode(JSON.stringify(ORDER_BODY))]);
    const response = await runtime.call(webhook, delivery("orders/updated", undefined, {}, bytes));
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ ingested: 3 });
  });

  it("a correctly signed body with Latin-1 (invalid UTF-8) bytes is accepted; one byte changed is not", async () => {
    runtime = connectedRuntime();
    runtime.http.postOnce(GRAPHQL_URL, { body: fixture("order-1001.json") });
    const bytes = Buffer.from(JSON.stringify({ ...ORDER_BODY, note: "Zo\u00eb" }), "latin1");
    const d = delivery("orders/updated", undefined, {}, bytes);
    expect((await runtime.call(webhook, d)).status).toBe(200);
    const tampered = Uint8Array.from(bytes);
    tampered[tampered.indexOf(0xeb)] = 0xec;
    expect((await runtime.call(webhook, { ...d, rawBodyBytes: tampered })).status).toBe(401);
  });
});
