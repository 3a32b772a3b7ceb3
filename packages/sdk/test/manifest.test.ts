import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { defineConnector, defineProviderPlugin, ManifestError, ProviderRegistry, validateManifest, type ConnectorManifestInput } from "../src/index.js";
import guideShopify from "./guide-connector/backfill.config.js";
import { apiKeyManifest, genericOAuthManifest, squareOAuthManifest } from "./guide-manifests.js";

function problemsOf(input: unknown, providers?: ProviderRegistry) {
  const result = validateManifest(input, providers ? { providers } : {});
  return result.ok ? [] : result.problems.map((p) => `${p.path}: ${p.message} [${p.rule}]`);
}

function withOAuth(patch: Record<string, unknown>, settings?: Record<string, unknown>): ConnectorManifestInput {
  const m = structuredClone(genericOAuthManifest) as { connection: { oauth: Record<string, unknown>; settingsSchema?: unknown } };
  Object.assign(m.connection.oauth, patch);
  if (settings) m.connection.settingsSchema = settings;
  return m as ConnectorManifestInput;
}

describe("the guide's manifests validate unchanged", () => {
  it.each([
    ["API-key block", apiKeyManifest],
    ["generic OAuth block", genericOAuthManifest],
    ["Square oauth block", squareOAuthManifest],
  ])("%s", (_name, manifest) => {
    expect(problemsOf(manifest)).toEqual([]);
  });

  it("Shopify manifest (section 2) defines and keeps its values", () => {
    expect(guideShopify.connection.oauth?.hostValidation.shop_domain).toEqual({ suffix: ".myshopify.com", normalize: "shopifyShopDomain" });
    expect(guideShopify.connection.oauth?.scopeSeparator).toBe(" ");
    expect(Object.isFrozen(guideShopify)).toBe(true);
  });
});

describe("optional oauth fields real providers need", () => {
  it("Shopify: expiring tokens, comma scopes, a callback HMAC and the shop normalizer", () => {
    const shopify = structuredClone(guideShopify) as ConnectorManifestInput & { connection: { oauth: Record<string, unknown> } };
    Object.assign(shopify.connection.oauth, {
      scopeSeparator: ",",
      tokenRequestParams: { expiring: "1" },
      callbackVerifiers: ["shopifyHmac"],
      refresh: { enabled: true, rotatesRefreshToken: true },
      token: {
        accessTokenPath: "access_token",
        refreshTokenPath: "refresh_token",
        expiresInPath: "expires_in",
        refreshExpiresInPath: "refresh_token_expires_in",
        scopePath: "scope",
      },
    });
    const result = validateManifest(shopify);
    expect(result.problems).toEqual([]);
    expect(result.manifest?.connection.oauth).toMatchObject({
      scopeSeparator: ",",
      tokenRequestParams: { expiring: "1" },
      callbackVerifiers: ["shopifyHmac"],
      tokenRequestEncoding: "form",
    });
  });

  it("Square: a JSON token request, an ISO expires_at, extra authorization params and Basic client auth", () => {
    const square = structuredClone(squareOAuthManifest) as ConnectorManifestInput & { connection: { oauth: Record<string, unknown> } };
    Object.assign(square.connection.oauth, {
      tokenRequestEncoding: "json",
      authorizationParams: { session: "false" },
      client: { credentialKey: "square_public_app", authMethod: "client_secret_basic" },
      token: { accessTokenPath: "access_token", refreshTokenPath: "refresh_token", expiresAtPath: "expires_at", accountIdPath: "merchant_id" },
    });
    const result = validateManifest(square);
    expect(result.problems).toEqual([]);
    expect(result.manifest?.connection.oauth).toMatchObject({
      tokenRequestEncoding: "json",
      authorizationParams: { session: "false" },
      client: { authMethod: "client_secret_basic" },
    });
  });

  it("the defaults are RFC 6749's: form encoding, client_secret_post, space-separated scopes", () => {
    const result = validateManifest(genericOAuthManifest);
    expect(result.manifest?.connection.oauth).toMatchObject({
      tokenRequestEncoding: "form",
      client: { authMethod: "client_secret_post" },
      scopeSeparator: " ",
      tokenRequestParams: {},
      authorizationParams: {},
      callbackVerifiers: [],
    });
  });

  it("names a bad value in an optional field", () => {
    expect(problemsOf(withOAuth({ tokenRequestEncoding: "xml" }))[0]).toMatch(/^connection\.oauth\.tokenRequestEncoding: .* \[invalid_value\]$/);
    expect(problemsOf(withOAuth({ tokenRequestParams: { expiring: 1 } }))[0]).toMatch(/^connection\.oauth\.tokenRequestParams\.expiring: /);
  });
});

describe("manifest rules name the path and the rule", () => {
  it("a host placeholder needs hostValidation", () => {
    const m = withOAuth(
      { authorizationUrlTemplate: "https://{settings.shop_domain}/admin/oauth/authorize", requiredSettings: ["shop_domain"] },
      { required: ["shop_domain"], properties: { shop_domain: { type: "string" } } },
    );
    expect(problemsOf(m)).toContain("connection.oauth.hostValidation.shop_domain: required because {settings.shop_domain} is in the host of authorizationUrlTemplate [required]");
  });

  it("placeholders must name a declared, required setting", () => {
    const problems = problemsOf(withOAuth({ tokenUrlTemplate: "https://api.example.com/{settings.region}/token" }));
    expect(problems).toContain("connection.oauth.tokenUrlTemplate: {settings.region} names no property of connection.settingsSchema [known_setting]");
    expect(problems).toContain("connection.oauth.requiredSettings: must list region because {settings.region} is in tokenUrlTemplate [placeholder_required]");
  });

  it("templates must be https with a host", () => {
    expect(problemsOf(withOAuth({ tokenUrlTemplate: "http://api.example.com/token" }))).toContain("connection.oauth.tokenUrlTemplate: must use https, not http [https]");
    expect(problemsOf(withOAuth({ tokenUrlTemplate: "not a url" }))).toContain("connection.oauth.tokenUrlTemplate: must be an absolute URL [url]");
    expect(problemsOf(withOAuth({ tokenUrlTemplate: "https://user:pw@api.example.com/token" }))).toContain(
      "connection.oauth.tokenUrlTemplate: must not contain userinfo (user:pass@) [userinfo]",
    );
  });

  it("client.credentialKey is required", () => {
    const problems = problemsOf(withOAuth({ client: {} }));
    expect(problems.some((p) => p.startsWith("connection.oauth.client.credentialKey:"))).toBe(true);
  });

  it("refresh.enabled needs a refresh token path", () => {
    expect(problemsOf(withOAuth({ refresh: { enabled: true } }))).toContain("connection.oauth.token.refreshTokenPath: required because refresh.enabled is true [required]");
  });

  it("OAuth connectors declare no token-like settings", () => {
    const problems = problemsOf(
      withOAuth({}, { required: [], properties: { access_token: { type: "string" }, client_secret: { type: "string" }, shop_domain: { type: "string" } } }),
    );
    expect(problems.filter((p) => p.endsWith("[no_token_settings]"))).toHaveLength(2);
    const secrets = problemsOf(
      withOAuth({}, { required: [], properties: { api_secret_key: { type: "string" }, shopify_app_secret: { type: "string" }, refresh_token: { type: "string" } } }),
    );
    expect(secrets.filter((p) => p.endsWith("[no_token_settings]"))).toHaveLength(3);
  });

  it("a hostValidation rule must constrain the host", () => {
    const m = withOAuth(
      { authorizationUrlTemplate: "https://{settings.host}/a", requiredSettings: ["host"], hostValidation: { host: {} } },
      { required: ["host"], properties: { host: { type: "string" } } },
    );
    expect(problemsOf(m)).toEqual(["connection.oauth.hostValidation.host: must set suffix, allowedHosts or normalize [constrains_host]"]);
  });

  it("a token's expiry comes from expiresInPath or expiresAtPath, not both", () => {
    expect(problemsOf(withOAuth({ token: { expiresInPath: "expires_in", expiresAtPath: "expires_at" } }))).toEqual([
      "connection.oauth.token: set expiresInPath or expiresAtPath, not both [one_expiry]",
    ]);
  });

  it("x-secret settings must be declared in permissions.secrets", () => {
    const m = structuredClone(apiKeyManifest) as { permissions: { secrets: unknown } };
    m.permissions.secrets = {};
    expect(problemsOf(m)).toContain(
      "connection.settingsSchema.properties.api_key: x-secret setting api_key must be declared in permissions.secrets to be readable [secret_declared]",
    );
  });

  it("unknown normalizers and verifiers are named", () => {
    const m = withOAuth(
      { authorizationUrlTemplate: "https://{settings.host}/a", requiredSettings: ["host"], hostValidation: { host: { normalize: "nope" } }, callbackVerifiers: ["alsoNope"] },
      { required: ["host"], properties: { host: { type: "string" } } },
    );
    // Names resolve against the provider plug-ins the connector is loaded with.
    const problems = problemsOf(m, new ProviderRegistry());
    expect(problems.some((p) => p.startsWith("connection.oauth.hostValidation.host.normalize: unknown normalizer nope"))).toBe(true);
    expect(problems.some((p) => p.startsWith("connection.oauth.callbackVerifiers.0: unknown callback verifier alsoNope"))).toBe(true);
  });

  it("normalizers and verifiers a registered plug-in provides are known", () => {
    const m = withOAuth(
      {
        authorizationUrlTemplate: "https://{settings.host}/a",
        requiredSettings: ["host"],
        hostValidation: { host: { normalize: "acmeHost" } },
        callbackVerifiers: ["acmeSignature"],
      },
      { required: ["host"], properties: { host: { type: "string" } } },
    );
    const plugin = defineProviderPlugin({
      provider: "acme",
      hostNormalizers: { acmeHost: (v) => ({ ok: true, value: String(v) }) },
      callbackVerifiers: { acmeSignature: () => ({ ok: true }) },
    });
    expect(problemsOf(m, new ProviderRegistry([plugin]))).toEqual([]);
  });

  it("client.webhookSecret must name a readable secret", () => {
    expect(problemsOf(withOAuth({ client: { credentialKey: "x", webhookSecret: "signing" } }))).toContain(
      "connection.oauth.client.webhookSecret: signing must be declared readable in permissions.secrets [secret_declared]",
    );
    expect(problemsOf(withOAuth({ client: { credentialKey: "x", webhookSecret: "webhook_secret" } }))).toEqual([]);
  });

  it("a public client needs PKCE", () => {
    expect(problemsOf(withOAuth({ client: { credentialKey: "x", authMethod: "none" } }))).toContain(
      "connection.oauth.pkce: must be true when client.authMethod is none (a public client needs PKCE) [public_client_pkce]",
    );
  });

  it("streams must write a granted entity", () => {
    const m = { ...genericOAuthManifest, streams: [{ name: "orders", route: "/sync/orders", entity: "sales_receipt" }] };
    expect(problemsOf(m)).toContain('streams.0.entity: stream orders writes SalesReceipt, so permissions.entities.SalesReceipt must include "write" [entity_grant]');
  });

  it("unknown keys are rejected with their path", () => {
    expect(problemsOf({ ...genericOAuthManifest, permisions: {} })).toEqual(["permisions: is not a known field [unknown_key]"]);
  });

  it("defineConnector throws one error listing every problem", () => {
    const bad = withOAuth({ tokenUrlTemplate: "http://x.example.com/t", refresh: { enabled: true } });
    let error: unknown;
    try {
      defineConnector(bad);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ManifestError);
    const m = error as ManifestError;
    expect(m.problems.length).toBe(2);
    expect(m.message).toContain("connection.oauth.tokenUrlTemplate: must use https");
    expect(m.message).toContain("connection.oauth.token.refreshTokenPath: required");
  });

  it("property: validation never crashes on arbitrary input and every rejection names a path", () => {
    const near = fc.record(
      {
        key: fc.oneof(fc.string(), fc.constant("shop")),
        name: fc.string(),
        version: fc.oneof(fc.string(), fc.constant("1.0.0")),
        permissions: fc.anything(),
        connection: fc.oneof(
          fc.anything(),
          fc.record(
            {
              oauth: fc.record(
                {
                  type: fc.constant("authorization_code"),
                  authorizationUrlTemplate: fc.string(),
                  tokenUrlTemplate: fc.webUrl(),
                  client: fc.anything(),
                  hostValidation: fc.anything(),
                },
                { requiredKeys: [] },
              ),
            },
            { requiredKeys: [] },
          ),
        ),
      },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(fc.oneof(fc.anything(), near), (input) => {
        const result = validateManifest(input);
        if (result.ok) return true;
        const isObject = typeof input === "object" && input !== null && !Array.isArray(input);
        // Only a non-object manifest is wrong "at the root"; anything else names its field.
        return result.problems.length > 0 && result.problems.every((p) => p.rule.length > 0 && p.message.length > 0 && (!isObject || p.path.length > 0));
      }),
      { numRuns: 500 },
    );
  });
});
