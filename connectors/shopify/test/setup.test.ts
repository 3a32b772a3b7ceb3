// setup/test_connection: connected, missing token, missing scope, provider auth failure,
// refresh failure, other failures; never the token in a log or response.
import { describe, expect, it } from "vitest";
import type { ConnectorTestRuntime } from "@backfill-io/sdk/testing";
import { POST } from "../src/api/setup/test_connection.js";
import { ACCESS_CANARY, GRAPHQL_URL, connectedRuntime, fixture, expectNoLeaksAfterEach } from "./helpers.js";

let runtime: ConnectorTestRuntime;
expectNoLeaksAfterEach();

describe("POST /setup/test_connection", () => {
  it("connected: returns the shop's identity, token only in X-Shopify-Access-Token", async () => {
    runtime = connectedRuntime();
    runtime.http.postOnce(GRAPHQL_URL, { body: fixture("shop.json") });
    const response = await runtime.call(POST);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      ok: true,
      providerAccountId: "gid://shopify/Shop/548380009",
      providerAccountName: "Acme Outfitters",
      providerAccountDomain: "acme.myshopify.com",
      currency: "USD",
    });
    const call = runtime.http.calls[0]!;
    expect(call.url).toBe(GRAPHQL_URL); // shop_domain "Acme" normalized by the host rule
    expect(call.opts.headers["X-Shopify-Access-Token"]).toBe(ACCESS_CANARY);
    expect(call.opts.headers.Authorization).toBeUndefined();
  });

  it("missing token: 401 reauth_required (missing_token), no HTTP call", async () => {
    runtime = connectedRuntime({ oauth: { accessToken: null } });
    const response = await runtime.call(POST);
    expect(response.status).toBe(401);
    expect(await response.json()).toMatchObject({ error: { code: "reauth_required", details: { reason: "missing_token" } } });
    expect(runtime.http.calls).toHaveLength(0);
  });

  it("missing scope: 401 reauth_required naming the scope", async () => {
    runtime = connectedRuntime({ oauth: { scopes: ["read_customers"] } });
    const response = await runtime.call(POST);
    expect(response.status).toBe(401);
    expect(await response.json()).toMatchObject({ error: { code: "reauth_required", details: { reason: "missing_scopes", missingScopes: ["read_orders"] } } });
  });

  for (const status of [401, 403]) {
    it(`provider auth failure (${status}): bad request carrying the status`, async () => {
      runtime = connectedRuntime();
      runtime.http.postOnce(GRAPHQL_URL, { status, body: { errors: "[API] Invalid API key or access token (unrecognized login or wrong password)" } });
      const response = await runtime.call(POST);
      expect(response.status).toBe(400);
      expect(await response.json()).toMatchObject({ error: { code: "bad_request", message: "Shopify rejected the OAuth token", details: { status } } });
    });
  }

  it("expired token refreshed by the host (rotating refresh token): the new token is used", async () => {
    const fresh = "shpat_CANARYfresh0123456789abcdef";
    runtime = connectedRuntime({
      oauth: { expiresAt: Date.now() + 60_000, refresh: { accessToken: fresh, refreshToken: "shprt_CANARYrotated0123456789", expiresAt: Date.now() + 3600_000 } },
    });
    runtime.http.postOnce(GRAPHQL_URL, { body: fixture("shop.json") });
    const response = await runtime.call(POST);
    expect(response.status).toBe(200);
    expect(runtime.refreshCount).toBe(1);
    expect(runtime.http.calls[0]!.opts.headers["X-Shopify-Access-Token"]).toBe(fresh);
    expect(runtime.leaked(fresh)).toBe(false);
  });

  it("refresh failure: 401 reauth_required (refresh_failed), no HTTP call", async () => {
    runtime = connectedRuntime({ oauth: { expiresAt: Date.now() + 60_000, refresh: { error: "invalid_grant" } } });
    const response = await runtime.call(POST);
    expect(response.status).toBe(401);
    expect(await response.json()).toMatchObject({ error: { code: "reauth_required", details: { reason: "refresh_failed" } } });
    expect(runtime.http.calls).toHaveLength(0);
  });

  it("other failures: 502 provider_error", async () => {
    runtime = connectedRuntime();
    runtime.http.postOnce(GRAPHQL_URL, { status: 500, body: { errors: "Internal Server Error" } });
    const response = await runtime.call(POST);
    expect(response.status).toBe(502);
    expect(await response.json()).toMatchObject({ error: { code: "provider_error", details: { status: 500 } } });
  });
});
