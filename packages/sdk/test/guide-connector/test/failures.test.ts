// The owner's guide, section 6, "Add failure tests for missing tokens and missing scopes":
// its runtime snippet verbatim, driving the guide's setup route (run with node:test).
import assert from "node:assert/strict";
import test from "node:test";
import { connectorTestRuntime } from "@backfill-io/sdk/testing";

test("setup without a token asks for the OAuth connection, before any HTTP", async () => {
  const runtime = connectorTestRuntime({
    oauth: {
      accessToken: null,
      scopes: [],
      requiredScopes: ["read_orders"],
    },
  });

  try {
    runtime.install();
    const { POST } = await import("../src/api/setup/test_connection");
    const response = await runtime.call(POST);

    assert.equal(response.status, 400);
    assert.deepEqual(await response.json(), { error: { code: "bad_request", message: "Shopify OAuth connection is required" } });
    assert.equal(runtime.http.calls.length, 0);
  } finally {
    runtime.restore();
  }
});

test("setup with a token but missing scopes asks for the OAuth connection too", async () => {
  const runtime = connectorTestRuntime({
    settings: { shop_domain: "demo.myshopify.com" },
    oauth: { accessToken: "test_access_token", scopes: [], requiredScopes: ["read_orders"] },
  });

  try {
    runtime.install();
    const { POST } = await import("../src/api/setup/test_connection");
    const response = await runtime.call(POST);

    assert.equal(response.status, 400);
    assert.equal(runtime.http.calls.length, 0);
    assert.equal(runtime.leaked("test_access_token"), false);
  } finally {
    runtime.restore();
  }
});
