// The test runtime under node:test (no vitest globals): scripted HTTP, the guide's sync
// route's records, and the failure cases the release checklist asks for, a line each.
import assert from "node:assert/strict";
import test from "node:test";
import { api, Http, OAuth } from "@backfill-io/sdk";
import { connectorTestRuntime } from "@backfill-io/sdk/testing";

const connected = { accessToken: "node_test_access_token", scopes: ["read_orders"], requiredScopes: ["read_orders"] };

test("on / getOnce: queued answers first, in order, then the standing handler", async () => {
  const runtime = connectorTestRuntime({ settings: { shop_domain: "demo.myshopify.com" }, oauth: connected });
  runtime.http
    .on("GET", "https://demo.myshopify.com/admin/*", (call) => ({ body: { standing: call.url } }))
    .getOnce({ body: { n: 1 } })
    .getOnce({ body: { n: 2 } });
  const route = api(async () => {
    const token = OAuth.accessToken();
    const get = () => Http.get("https://demo.myshopify.com/admin/shop.json", { headers: { "X-Shopify-Access-Token": token } }).body as unknown;
    return api.json([get(), get(), get()]);
  });
  try {
    runtime.install();
    const response = await runtime.call(route);
    assert.deepEqual(await response.json(), [{ n: 1 }, { n: 2 }, { standing: "https://demo.myshopify.com/admin/shop.json" }]);
    assert.equal(runtime.http.calls.length, 3);
    assert.equal(runtime.leaked("node_test_access_token"), false);
  } finally {
    runtime.restore();
  }
});

test("an unmatched request fails listing what was expected", async () => {
  const runtime = connectorTestRuntime({ settings: { shop_domain: "demo.myshopify.com" }, oauth: connected });
  runtime.http.postOnce("https://demo.myshopify.com/admin/api/2026-04/graphql.json", { body: {} });
  try {
    runtime.install();
    const response = await runtime.call(api(async () => api.json(Http.get("https://demo.myshopify.com/admin/shop.json").body)));
    assert.equal(response.status, 500);
    const body = (await response.json()) as { error: { message: string } };
    assert.match(body.error.message, /unexpected GET https:\/\/demo\.myshopify\.com\/admin\/shop\.json; expected POST .*graphql\.json \(once\)/);
  } finally {
    runtime.restore();
  }
});

test("the guide's sync route: records by kind when connected, 401 without a token", async () => {
  const { POST } = await import("../src/api/sync/orders");
  const connectedRuntime = connectorTestRuntime({ settings: { shop_domain: "demo.myshopify.com" }, oauth: connected });
  try {
    connectedRuntime.install();
    const response = await connectedRuntime.call(POST);
    assert.deepEqual(await response.json(), { accepted: 1, rejected: 0, errors: [] });
    assert.deepEqual(connectedRuntime.records("sales_receipt"), [{ receipt_id: "provider-order-123", customer_id: "provider-customer-123", total: "42.00", currency: "USD" }]);
    assert.equal(connectedRuntime.batches[0]?.stream, "orders");
  } finally {
    connectedRuntime.restore();
  }

  // The guide's failure-test seed, plus the setting this manifest requires (the runtime
  // checks settings as the host does, so a connection without shop_domain never runs).
  const runtime = connectorTestRuntime({
    settings: { shop_domain: "demo.myshopify.com" },
    oauth: {
      accessToken: null,
      scopes: [],
      requiredScopes: ["read_orders"],
    },
  });
  try {
    runtime.install();
    const response = await runtime.call(POST);
    assert.equal(response.status, 401);
    assert.deepEqual(runtime.records("sales_receipt"), []);
  } finally {
    runtime.restore();
  }
});
