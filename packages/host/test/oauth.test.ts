// The authorization-code flow end to end against a provider stand-in on 127.0.0.1.
import { describe, expect, it } from "vitest";
import { ReauthRequiredError } from "@backfill-io/sdk";
import { shopifyCallbackHmac } from "@backfill-io/connector-shopify/provider";
import { readTokens } from "../src/tokens/token-store.js";
import { disconnect } from "../src/tokens/revoke.js";
import { REDIRECT_URI, connectShop, followAuthorization, shopifyManifest, standInTestBed, squareManifest } from "./oauth-fixtures.js";

import { STORE_TARGETS, stopPostgresAfterAll } from "./store-targets.js";

stopPostgresAfterAll();

// The state and connect-session checks are store rows: the flow runs on both stores.
describe.each(STORE_TARGETS)("on $name", (target) => {
  const { standIn, errorTexts, newHost } = standInTestBed(target);

  async function expectFlowError(promise: Promise<unknown>, code: string): Promise<Error & { code: string; fix?: string; details?: Record<string, unknown> }> {
    const error = (await promise.then(
      () => {
        throw new Error(`expected ${code}`);
      },
      (e: unknown) => e,
    )) as Error & { code: string };
    errorTexts.push(error.message, JSON.stringify(error));
    expect(error.code).toBe(code);
    return error;
  }

  describe("OAuth authorization-code flow (Shopify shape)", () => {
    it("start → provider → callback → token exchange → postConnect → active connection", async () => {
      const host = await newHost();
      const started = await host.oauth.startAuthorization({
        manifest: shopifyManifest,
        settings: { shop_domain: "Acme", webhook_secret: "whsec-canary-not" },
        redirectUri: REDIRECT_URI,
      });
      const url = new URL(started.authorizationUrl);
      expect(url.origin + url.pathname).toBe("https://acme.myshopify.com/admin/oauth/authorize");
      expect(url.searchParams.get("client_id")).toBe(standIn.clientId);
      expect(url.searchParams.get("scope")).toBe("read_customers,read_orders");
      expect(url.searchParams.get("redirect_uri")).toBe(REDIRECT_URI);
      expect(url.searchParams.get("state")).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(url.searchParams.get("code_challenge")).toBeNull();

      const pending = await host.store.db.selectFrom("pending_authorizations").selectAll().execute();
      expect(pending).toHaveLength(1);
      expect(pending[0]!.state_hash).not.toBe(url.searchParams.get("state"));
      expect(Math.abs(pending[0]!.expires_at - pending[0]!.created_at - 10 * 60_000)).toBeLessThan(1_000);

      const query = await followAuthorization(started.authorizationUrl, standIn.providerRoutes);
      const done = await host.oauth.completeAuthorization(query);
      expect(done).toMatchObject({
        connectionId: started.connectionId,
        status: "active",
        providerAccount: { id: "gid://shopify/Shop/acme", domain: "acme.myshopify.com" },
        scopes: ["read_customers", "read_orders"],
      });

      const exchange = standIn.tokenRequests().at(-1)!;
      expect(exchange.host).toBe("acme.myshopify.com");
      expect(exchange.headers["content-type"]).toBe("application/x-www-form-urlencoded");
      expect(exchange.body).toMatchObject({ grant_type: "authorization_code", code: query.code, client_id: standIn.clientId, expiring: "1", redirect_uri: REDIRECT_URI });

      const connection = await host.store.connections.get(done.connectionId);
      expect(connection).toMatchObject({ status: "active", status_reason: null, provider_account_id: "gid://shopify/Shop/acme", connector_key: "shopify" });
      expect(connection!.settings).toEqual({ shop_domain: "acme.myshopify.com" });
      const tokens = await readTokens(host.store, host.vault, done.connectionId);
      expect(tokens!.accessToken).toBe(standIn.grants.at(-1)!.access);
      expect(tokens!.expiresAt).toBeGreaterThan(Date.now());
      expect(tokens!.refreshExpiresAt).toBeGreaterThan(Date.now() + 80 * 86400_000);
      expect(await host.tokens.accessToken(done.connectionId, { minTtlSeconds: 60 })).toBe(tokens!.accessToken);
      expect(await host.store.connectionSecrets.listNames(done.connectionId)).toEqual(["webhook_secret"]);

      // Replaying the same callback is refused.
      await expectFlowError(host.oauth.completeAuthorization(query), "state_replayed");
    });

    it("refuses an expired state", async () => {
      let now = Date.now();
      const host = await newHost({ clock: () => now });
      const started = await host.oauth.startAuthorization({ manifest: shopifyManifest, settings: { shop_domain: "acme.myshopify.com" }, redirectUri: REDIRECT_URI });
      const query = await followAuthorization(started.authorizationUrl, standIn.providerRoutes);
      now += 10 * 60_000 + 1;
      await expectFlowError(host.oauth.completeAuthorization(query), "state_expired");
      await expectFlowError(host.oauth.completeAuthorization({ ...query, state: "made-up-state" }), "unknown_state");
      await expectFlowError(host.oauth.completeAuthorization({ code: query.code! }), "missing_state");
    });

    it("refuses a wrong Shopify HMAC and a different shop, before spending the code", async () => {
      const host = await newHost();
      const exchangesBefore = standIn.tokenRequests().length;
      const s1 = await host.oauth.startAuthorization({ manifest: shopifyManifest, settings: { shop_domain: "acme.myshopify.com" }, redirectUri: REDIRECT_URI });
      const q1 = await followAuthorization(s1.authorizationUrl, standIn.providerRoutes);
      const forged = { ...q1, hmac: shopifyCallbackHmac(q1, "not-the-client-secret") };
      const e1 = await expectFlowError(host.oauth.completeAuthorization(forged), "callback_verification_failed");
      expect(e1.details).toMatchObject({ verifier: "shopifyHmac", reason: "invalid_hmac" });

      const s2 = await host.oauth.startAuthorization({ manifest: shopifyManifest, settings: { shop_domain: "acme.myshopify.com" }, redirectUri: REDIRECT_URI });
      const q2 = await followAuthorization(s2.authorizationUrl, standIn.providerRoutes);
      const otherShop: Record<string, string> = { ...q2, shop: "evil.myshopify.com" };
      delete otherShop.hmac;
      otherShop.hmac = shopifyCallbackHmac(otherShop, standIn.clientSecret);
      const e2 = await expectFlowError(host.oauth.completeAuthorization(otherShop), "callback_verification_failed");
      expect(e2.details).toMatchObject({ reason: "shop_mismatch" });
      expect(standIn.tokenRequests().length).toBe(exchangesBefore);
    });

    it("missing scopes → reauth_required (missing_scopes)", async () => {
      const host = await newHost();
      standIn.grantScopes = "read_customers";
      const started = await host.oauth.startAuthorization({ manifest: shopifyManifest, settings: { shop_domain: "acme.myshopify.com" }, redirectUri: REDIRECT_URI });
      const query = await followAuthorization(started.authorizationUrl, standIn.providerRoutes);
      const error = await expectFlowError(host.oauth.completeAuthorization(query), "missing_scopes");
      expect(error.details).toMatchObject({ missingScopes: ["read_orders"] });
      // The fix says what to change when the provider dropped the scope by design, not only "approve it".
      expect(error.fix).toContain("the provider granted read_customers");
      expect(error.fix).toContain("remove it from oauth.scopes");
      expect(error.fix).toContain("prompt=consent");
      // The host names no CLI command: the fix names the connection, the details what the CLI's command needs.
      expect(error.fix).toContain(`reconnect connection ${started.connectionId}`);
      expect(error.details).toMatchObject({ connectionId: started.connectionId, connectorKey: "shopify" });
      expect(await host.store.connections.get(started.connectionId)).toMatchObject({ status: "reauth_required", status_reason: "missing_scopes" });
      const refused = await host.tokens.accessToken(started.connectionId).catch((e: unknown) => e);
      expect(refused).toBeInstanceOf(ReauthRequiredError);
      expect(refused).toMatchObject({ code: "reauth_required", reason: "missing_scopes" });
    });

    it("fails before any redirect on bad settings or a missing app credential, with the fix", async () => {
      const host = await newHost();
      await expectFlowError(host.oauth.startAuthorization({ manifest: shopifyManifest, settings: { shop_domain: "evil.com" }, redirectUri: REDIRECT_URI }), "invalid_settings");
      await expectFlowError(host.oauth.startAuthorization({ manifest: shopifyManifest, settings: {}, redirectUri: REDIRECT_URI }), "invalid_settings");
      await host.credentials.delete("square_public_app");
      const error = await expectFlowError(host.oauth.startAuthorization({ manifest: squareManifest, settings: {}, redirectUri: REDIRECT_URI }), "missing_client_credential");
      // The fix is a field, not glued into the message, and names no CLI command (the CLI maps the code).
      expect(error.fix).toBe("set the OAuth app credential square_public_app (its client id and client secret)");
      expect(error.message).toBe("no OAuth app credential square_public_app is set");
      expect(await host.store.connections.list()).toEqual([]);
    });

    it("a provider error in the callback is a clear failure and burns the state", async () => {
      const host = await newHost();
      const started = await host.oauth.startAuthorization({ manifest: shopifyManifest, settings: { shop_domain: "acme.myshopify.com" }, redirectUri: REDIRECT_URI });
      const state = new URL(started.authorizationUrl).searchParams.get("state")!;
      const error = await expectFlowError(host.oauth.completeAuthorization({ error: "access_denied", error_description: "The user said no", state }), "provider_error");
      expect(error.message).toContain("access_denied");
      await expectFlowError(host.oauth.completeAuthorization({ code: "whatever-code", state }), "state_replayed");
    });

    it("postConnect must name the provider account: without one the connection stays pending, without tokens", async () => {
      const host = await newHost({ postConnect: async () => ({ status: 200, body: { ok: true } }) });
      const started = await host.oauth.startAuthorization({ manifest: shopifyManifest, settings: { shop_domain: "acme.myshopify.com" }, redirectUri: REDIRECT_URI });
      const query = await followAuthorization(started.authorizationUrl, standIn.providerRoutes);
      const error = await expectFlowError(host.oauth.completeAuthorization(query), "post_connect_failed");
      expect(error.message).toContain("providerAccountId");
      expect(await host.store.connections.get(started.connectionId)).toMatchObject({ status: "pending", status_reason: "post_connect_failed", provider_account_id: null });
      expect(await host.store.tokens.get(started.connectionId)).toBeUndefined();
    });

    it("reconnecting to a different provider account is refused unless forced", async () => {
      const host = await newHost();
      const connectionId = await connectShop(host, "acme.myshopify.com");
      const original = (await readTokens(host.store, host.vault, connectionId))!.accessToken;

      const again = await host.oauth.startAuthorization({ manifest: shopifyManifest, settings: { shop_domain: "other-shop" }, redirectUri: REDIRECT_URI, connectionId });
      const q = await followAuthorization(again.authorizationUrl, standIn.providerRoutes);
      await expectFlowError(host.oauth.completeAuthorization(q), "provider_account_mismatch");
      expect((await readTokens(host.store, host.vault, connectionId))!.accessToken).toBe(original);
      expect(await host.store.connections.get(connectionId)).toMatchObject({ status: "active", provider_account_id: "gid://shopify/Shop/acme" });

      const forced = await host.oauth.startAuthorization({
        manifest: shopifyManifest,
        settings: { shop_domain: "other-shop" },
        redirectUri: REDIRECT_URI,
        connectionId,
        force: true,
      });
      const done = await host.oauth.completeAuthorization(await followAuthorization(forced.authorizationUrl, standIn.providerRoutes));
      expect(done.providerAccount.id).toBe("gid://shopify/Shop/other-shop");
    });
  });

  describe("OAuth authorization-code flow (Square shape)", () => {
    it("PKCE S256, JSON token request, ISO expires_at, account id from the token response; disconnect revokes", async () => {
      const host = await newHost();
      const started = await host.oauth.startAuthorization({ manifest: squareManifest, settings: {}, redirectUri: REDIRECT_URI });
      const url = new URL(started.authorizationUrl);
      expect(url.host).toBe("connect.squareup.com");
      expect(url.searchParams.get("scope")).toBe("PAYMENTS_READ ORDERS_READ");
      expect(url.searchParams.get("code_challenge_method")).toBe("S256");
      expect(url.searchParams.get("session")).toBe("false");
      const query = await followAuthorization(started.authorizationUrl, standIn.providerRoutes);
      const done = await host.oauth.completeAuthorization(query);
      expect(done.providerAccount.id).toBe("MERCHANT-1");
      const exchange = standIn.tokenRequests().at(-1)!;
      expect(exchange.headers["content-type"]).toBe("application/json");
      expect(exchange.body.code_verifier).toMatch(/^[A-Za-z0-9_-]{43}$/);
      const tokens = await readTokens(host.store, host.vault, done.connectionId);
      expect(Math.abs(tokens!.expiresAt! - (Date.now() + 3600_000))).toBeLessThan(5_000);

      const accessToken = tokens!.accessToken;
      const result = await disconnect(host.tokens, done.connectionId);
      expect(result).toMatchObject({ revoked: true, tokensDeleted: true });
      const revoke = standIn.requests.filter((r) => r.path === "/oauth2/revoke").at(-1)!;
      expect(revoke.headers.authorization).toBe(`Client ${standIn.clientSecret}`);
      expect(revoke.body).toEqual({ client_id: standIn.clientId, access_token: accessToken });
      expect(await host.store.tokens.get(done.connectionId)).toBeUndefined();
      expect(await host.store.connections.get(done.connectionId)).toMatchObject({ status: "disconnected" });
      await expect(host.tokens.accessToken(done.connectionId)).rejects.toMatchObject({ code: "reauth_required" });
    });
  });
});
