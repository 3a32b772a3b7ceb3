// The owner's guide, section 6, verbatim (run with node:test).
import assert from "node:assert/strict";
import test from "node:test";
import { connectorTestRuntime } from "@backfill-io/sdk/testing";

test("setup uses OAuth token", async () => {
  const runtime = connectorTestRuntime({
    settings: { shop_domain: "demo.myshopify.com" },
    connector: { key: "shopify", provider: "shopify" },
    oauth: {
      accessToken: "test_access_token",
      scopes: ["read_orders"],
      requiredScopes: ["read_orders"],
      provider: "shopify",
    },
  });

  try {
    runtime.install();
    const { POST } = await import("../src/api/setup/test_connection");

    runtime.http.postOnce({
      status: 200,
      body: {
        data: {
          shop: {
            id: "gid://shopify/Shop/1",
            name: "Demo Shop",
            myshopifyDomain: "demo.myshopify.com",
          },
        },
      },
    });

    const response = await runtime.call(POST);

    assert.equal(response.status, 200);
    assert.equal(
      runtime.http.calls[0].opts?.headers?.["X-Shopify-Access-Token"],
      "test_access_token",
    );
  } finally {
    runtime.restore();
  }
});
