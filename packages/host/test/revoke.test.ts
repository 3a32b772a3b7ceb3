// The revocation request's shape: the manifest's oauth.revocationRequest (a provider's own
// shape, described as data, when it says so), RFC 7009 by default, with the manifest's client authentication.
import { describe, expect, it } from "vitest";
import type { ConnectorManifest } from "@backfill-io/sdk";
import { ProviderRegistry } from "@backfill-io/sdk";
import { shopifyProviderPlugin } from "@backfill-io/connector-shopify/provider";
import { revocationRequest } from "../src/tokens/revoke.js";
import type { StoredTokens } from "../src/tokens/token-store.js";
import { genericOAuthManifest, SQUARE_STYLE_REVOCATION } from "./oauth-fixtures.js";

const credential = { credentialKey: "app", clientId: "client id", clientSecret: "s3cret:/x" };
const tokens: StoredTokens = { accessToken: "at-1", refreshToken: "rt-1", tokenType: null, expiresAt: null, refreshExpiresAt: null, scopes: [], obtainedAt: 0 };

function request(m: ConnectorManifest) {
  return revocationRequest(m, m.connection.oauth!, {}, credential, tokens);
}

describe("revocation request", () => {
  it("is Square's JSON shape only when the manifest describes it in revocationRequest", () => {
    expect(genericOAuthManifest({ oauth: { revocationRequest: SQUARE_STYLE_REVOCATION } }).connection.oauth!.revocationRequest).toEqual(SQUARE_STYLE_REVOCATION);
    expect(genericOAuthManifest().connection.oauth!.revocationRequest).toBe("rfc7009");

    const square = request(genericOAuthManifest({ key: "payments", oauth: { revocationRequest: SQUARE_STYLE_REVOCATION } }));
    expect(square.headers).toMatchObject({ "content-type": "application/json", authorization: "Client s3cret:/x" });
    expect(JSON.parse(String(square.body))).toEqual({ client_id: "client id", access_token: "at-1" });

    // Neither the connector key nor the provider name picks the shape: only the manifest field.
    const impostor = request(genericOAuthManifest({ key: "square", provider: "square" }));
    expect(impostor.headers!["content-type"]).toBe("application/x-www-form-urlencoded");
  });

  it("is RFC 7009 otherwise: the refresh token (it revokes the grant) with the manifest's client authentication", () => {
    const post = request(genericOAuthManifest({ provider: "acme" }));
    expect(post.url).toBe("https://id.example.com/revoke");
    expect(Object.fromEntries(new URLSearchParams(String(post.body)))).toEqual({
      token: "rt-1",
      token_type_hint: "refresh_token",
      client_id: "client id",
      client_secret: "s3cret:/x",
    });
    expect(post.headers!.authorization).toBeUndefined();

    const basic = request(genericOAuthManifest({ authMethod: "client_secret_basic" }));
    expect(basic.headers!.authorization).toBe(`Basic ${Buffer.from("client%20id:s3cret%3A%2Fx").toString("base64")}`);
    expect(Object.fromEntries(new URLSearchParams(String(basic.body)))).toEqual({ token: "rt-1", token_type_hint: "refresh_token" });

    const publicClient = genericOAuthManifest({ authMethod: "none" });
    const none = revocationRequest(publicClient, publicClient.connection.oauth!, {}, credential, { ...tokens, refreshToken: null });
    expect(Object.fromEntries(new URLSearchParams(String(none.body)))).toEqual({ token: "at-1", token_type_hint: "access_token", client_id: "client id" });
  });
});

describe("Shopify token migration applies by provider", () => {
  it("only to manifests whose provider is shopify (the plug-in's provider)", () => {
    const providers = new ProviderRegistry([shopifyProviderPlugin]);
    expect(providers.tokenMigration("shopify")).toBeDefined();
    expect(providers.tokenMigration("square")).toBeUndefined();
    expect(providers.tokenMigration(undefined)).toBeUndefined();
  });
});
