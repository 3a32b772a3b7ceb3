import { afterEach, describe, expect, it } from "vitest";
import { api, defineConnector, type ErrorBody } from "@backfill-io/sdk";
import { connectorTestRuntime, type ConnectorTestRuntime } from "@backfill-io/sdk/testing";
import { missingProviderAccessResponse, providerAccessToken, withProviderAccess } from "../src/index.js";

const manifest = defineConnector({
  key: "example",
  name: "Example",
  version: "0.1.0",
  permissions: { http: ["https://api.example.com/*"] },
  connection: {
    oauth: {
      type: "authorization_code",
      authorizationUrlTemplate: "https://api.example.com/oauth/authorize",
      tokenUrlTemplate: "https://api.example.com/oauth/token",
      scopes: ["orders.read"],
      client: { credentialKey: "example_app" },
      refresh: { enabled: true },
      token: { accessTokenPath: "access_token", refreshTokenPath: "refresh_token", expiresInPath: "expires_in" },
    },
  },
});

const route = api(withProviderAccess(async (token) => api.json({ tokenLength: token.length })));

let runtime: ConnectorTestRuntime | undefined;
afterEach(() => runtime?.restore());

describe("providerAccessToken / withProviderAccess", () => {
  it("returns the token when connected", async () => {
    runtime = connectorTestRuntime({ manifest, oauth: { accessToken: "tok_123456", scopes: ["orders.read"], requiredScopes: ["orders.read"] } }).install();
    const response = await runtime.call(route);
    expect(await response.json()).toEqual({ tokenLength: 10 });
    expect(providerAccessToken()).toBe("tok_123456");
  });

  it("answers 401 missing_token without a token", async () => {
    runtime = connectorTestRuntime({ manifest, oauth: { accessToken: null } }).install();
    const response = await runtime.call(route);
    expect(response.status).toBe(401);
    expect(await response.json()).toMatchObject({ error: { code: "reauth_required", details: { reason: "missing_token" } } });
    expect(providerAccessToken()).toBeNull();
  });

  it("lists missing scopes", async () => {
    runtime = connectorTestRuntime({ manifest, oauth: { accessToken: "tok_123456", scopes: [], requiredScopes: ["orders.read"] } }).install();
    const body = (await (await runtime.call(route)).json()) as ErrorBody;
    expect(body.error.details).toEqual({ reason: "missing_scopes", missingScopes: ["orders.read"] });
    expect(body.error.message).toContain("orders.read");
  });

  it("refresh failure becomes refresh_failed and the new token never leaks", async () => {
    runtime = connectorTestRuntime({
      manifest,
      oauth: { accessToken: "old_token_abc", refreshToken: "refresh_canary_1", expiresAt: Date.now() - 1000, refresh: { error: "invalid_grant" } },
    }).install();
    const body = (await (await runtime.call(route)).json()) as ErrorBody;
    expect(body.error.details?.reason).toBe("refresh_failed");
    expect(runtime.leaked("refresh_canary_1")).toBe(false);
    expect(runtime.leaked("old_token_abc")).toBe(false);
  });

  it("rethrows errors that are not reauth_required", () => {
    runtime = connectorTestRuntime({ manifest }); // not installed: no host bound
    expect(() => providerAccessToken()).toThrow(/no Backfill host is bound/);
  });

  it("missingProviderAccessResponse takes a reason", async () => {
    const response = missingProviderAccessResponse("revoked");
    expect(response.status).toBe(401);
    expect(((await response.json()) as ErrorBody).error.details?.reason).toBe("revoked");
  });
});
