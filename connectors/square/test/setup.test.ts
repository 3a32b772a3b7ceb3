import { describe, expect, it } from "vitest";
import { POST } from "../src/api/setup/test_connection.js";
import { SQUARE_VERSION } from "../src/lib/square-client.js";
import { connectorTestRuntime } from "@backfill-io/sdk/testing";
import type { ErrorBody } from "@backfill-io/sdk";
import { ACCESS_TOKEN, API, REFRESH_TOKEN, SCOPES, fixture, json, squareRuntime, expectNoLeaksAfterEach, leakChecked } from "./helpers.js";

let runtime: ReturnType<typeof connectorTestRuntime>;
expectNoLeaksAfterEach();

describe("setup/test_connection", () => {
  it("connected: names the merchant and its main location; bearer token and Square-Version on each call", async () => {
    runtime = squareRuntime();
    runtime.http.getOnce(`${API}/v2/merchants/me`, { body: fixture("merchants-me.json") });
    runtime.http.getOnce(`${API}/v2/locations/L1V8KQ5C2N3ZB`, { body: fixture("location-main.json") });
    const response = await runtime.call(POST);
    expect(response.status).toBe(200);
    expect(await json(response)).toEqual({
      ok: true,
      providerAccountId: "MLQW2SSZ0C3GK",
      providerAccountName: "Blue Bottle Roasters",
      providerAccountCountry: "US",
      providerAccountCurrency: "USD",
      environment: "production",
      mainLocation: { id: "L1V8KQ5C2N3ZB", name: "Mission Street", currency: "USD", timezone: "America/Los_Angeles", status: "ACTIVE" },
    });
    for (const call of runtime.http.calls) {
      expect(call.opts.headers.Authorization).toBe(`Bearer ${ACCESS_TOKEN}`);
      expect(call.opts.headers["Square-Version"]).toBe(SQUARE_VERSION);
    }
  });

  it("no environment setting: the schema default (production) applies, calls go to connect.squareup.com", async () => {
    runtime = leakChecked(
      connectorTestRuntime({
        connector: { key: "square", provider: "square" },
        settings: {},
        oauth: { accessToken: ACCESS_TOKEN, refreshToken: REFRESH_TOKEN, scopes: SCOPES, requiredScopes: SCOPES, provider: "square" },
      }),
    );
    runtime.http.getOnce(`${API}/v2/merchants/me`, { body: { merchant: { id: "MLQW2SSZ0C3GK", business_name: "Blue Bottle Roasters" } } });
    const response = await runtime.call(POST);
    expect(response.status).toBe(200);
    expect((await json<{ environment: string }>(response)).environment).toBe("production");
    expect(runtime.http.calls.map((c) => new URL(c.url).host)).toEqual(["connect.squareup.com"]);
  });

  it("sandbox environment calls the sandbox host", async () => {
    runtime = squareRuntime({ settings: { environment: "sandbox" } });
    runtime.http.getOnce("https://connect.squareupsandbox.com/v2/merchants/me", { body: { merchant: { id: "SANDBOXM1", business_name: "Sandbox" } } });
    const response = await runtime.call(POST);
    expect((await json<{ environment: string }>(response)).environment).toBe("sandbox");
  });

  it("missing token → 401 reauth_required naming the reason, no Square call", async () => {
    runtime = squareRuntime({ oauth: { accessToken: null } });
    const response = await runtime.call(POST);
    expect(response.status).toBe(401);
    expect((await json<ErrorBody>(response)).error).toMatchObject({ code: "reauth_required", details: { reason: "missing_token" } });
    expect(runtime.http.calls).toHaveLength(0);
  });

  it("missing scope → 401 reauth_required listing the missing scopes", async () => {
    runtime = squareRuntime({ oauth: { scopes: ["MERCHANT_PROFILE_READ"] } });
    const response = await runtime.call(POST);
    expect(response.status).toBe(401);
    expect((await json<ErrorBody>(response)).error.details).toEqual({ reason: "missing_scopes", missingScopes: ["CUSTOMERS_READ", "ORDERS_READ", "PAYMENTS_READ"] });
  });

  it("provider auth failure (Square 401) → 400 carrying the status and Square's error, not the token", async () => {
    runtime = squareRuntime();
    runtime.http.getOnce(`${API}/v2/merchants/me`, { status: 401, body: fixture("error-unauthorized.json") });
    const response = await runtime.call(POST);
    expect(response.status).toBe(400);
    const body = await json<ErrorBody>(response);
    expect(body.error.message).toBe("Square rejected the OAuth token");
    expect(body.error.details).toMatchObject({ status: 401, errors: [{ category: "AUTHENTICATION_ERROR", code: "UNAUTHORIZED" }] });
  });

  it("refresh failure (expiring token, invalid_grant) → 401 reauth_required refresh_failed", async () => {
    runtime = squareRuntime({ oauth: { expiresAt: Date.now() + 60_000, refresh: { error: "invalid_grant" } } });
    const response = await runtime.call(POST);
    expect(response.status).toBe(401);
    expect((await json<ErrorBody>(response)).error.details).toEqual({ reason: "refresh_failed" });
    expect(runtime.refreshCount).toBe(1);
  });

  it("provider auth failure (Square 403 INSUFFICIENT_SCOPES) → 400 carrying the status", async () => {
    runtime = squareRuntime();
    runtime.http.getOnce(`${API}/v2/merchants/me`, { status: 403, body: fixture("error-insufficient-scopes.json") });
    const response = await runtime.call(POST);
    expect(response.status).toBe(400);
    expect((await json<ErrorBody>(response)).error).toMatchObject({ message: "Square rejected the OAuth token", details: { status: 403 } });
  });

  it("other failures (Square 500) → 502 provider_error with Square's error, not a bad request", async () => {
    runtime = squareRuntime();
    runtime.http.getOnce(`${API}/v2/merchants/me`, {
      status: 500,
      body: { errors: [{ category: "API_ERROR", code: "INTERNAL_SERVER_ERROR", detail: "An internal error occurred." }] },
    });
    const response = await runtime.call(POST);
    expect(response.status).toBe(502);
    expect((await json<ErrorBody>(response)).error).toMatchObject({ code: "provider_error", details: { status: 500, errors: [{ code: "INTERNAL_SERVER_ERROR" }] } });
  });

  it("rate limited → the retry signal", async () => {
    runtime = squareRuntime();
    runtime.http.getOnce(`${API}/v2/merchants/me`, { status: 429, headers: { "retry-after": "7" }, body: fixture("error-rate-limited.json") });
    const response = await runtime.call(POST);
    expect(response.status).toBe(429);
    expect(response.headers.get("retry-after")).toBe("7");
  });

  it("an expiring token is refreshed by the host before the call; the new one is used", async () => {
    const refreshed = "EAAAcanaryRefreshedAccess_91c3b7";
    runtime = squareRuntime({ oauth: { expiresAt: Date.now() + 60_000, refresh: { accessToken: refreshed, expiresAt: Date.now() + 30 * 86400_000 } } });
    runtime.http.getOnce(`${API}/v2/merchants/me`, { body: { merchant: { id: "MLQW2SSZ0C3GK" } } });
    const response = await runtime.call(POST);
    expect(response.status).toBe(200);
    expect(runtime.http.calls[0]!.opts.headers.Authorization).toBe(`Bearer ${refreshed}`);
    expect(runtime.leaked(refreshed)).toBe(false);
  });
});
