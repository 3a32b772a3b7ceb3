// Tokens at run time: single-flight refresh (in process and across processes), refresh
// token rotation, invalid_grant → reauth_required, transient retries, refresh-due and
// the Shopify token migration, against the provider stand-in.
import { describe, expect, it } from "vitest";
import { CLIENT_CREDENTIAL_REJECTED, MISSING_CLIENT_CREDENTIAL, ReauthRequiredError } from "@backfill-io/sdk";
import { openHost } from "../src/app/open-host.js";
import { readTokens, writeTokens } from "../src/tokens/token-store.js";
import { migrateTokens } from "../src/tokens/migrate.js";
import { disconnect } from "../src/tokens/revoke.js";
import { standInTestBed, type TestHost } from "./oauth-fixtures.js";

import { STORE_TARGETS, stopPostgresAfterAll } from "./store-targets.js";

stopPostgresAfterAll();

describe.each(STORE_TARGETS)("on $name", (target) => {
  const { standIn, errorTexts, connectedHost, refreshRequests, track, databaseOf } = standInTestBed(target);

  async function expireAccessToken(host: TestHost, connectionId: string) {
    await host.store.db
      .updateTable("oauth_tokens")
      .set({ expires_at: Date.now() + 10_000, obtained_at: Date.now() - 3_590_000 })
      .where("connection_id", "=", connectionId)
      .execute();
  }

  describe("TokenManager", () => {
    it("a rotating provider's refresh answer without a new refresh token leaves none: the spent one is not kept", async () => {
      const shop = "rotation-without-refresh.myshopify.com";
      const { host, connectionId } = await connectedHost(shop);
      await expireAccessToken(host, connectionId);
      standIn.scripted.push({ status: 200, body: { access_token: "rotated-access-token-1", expires_in: 3600, scope: "read_customers,read_orders" } });
      expect(await host.tokens.accessToken(connectionId, { minTtlSeconds: 600 })).toBe("rotated-access-token-1");
      const after = (await readTokens(host.store, host.vault, connectionId))!;
      expect(after.refreshToken).toBeNull();
      expect(host.logs()).toContain("without a new refresh token");
    });

    it("100 concurrent callers → exactly one refresh request; the rotated refresh token is persisted", async () => {
      const shop = "single-flight.myshopify.com";
      const { host, connectionId } = await connectedHost(shop);
      const before = (await readTokens(host.store, host.vault, connectionId))!;
      await expireAccessToken(host, connectionId);
      standIn.tokenDelayMs = 100;
      try {
        const results = await Promise.all(Array.from({ length: 100 }, () => host.tokens.accessToken(connectionId, { minTtlSeconds: 600 })));
        expect(refreshRequests(shop)).toHaveLength(1);
        const latest = standIn.grants.at(-1)!;
        expect(new Set(results)).toEqual(new Set([latest.access]));
        const after = (await readTokens(host.store, host.vault, connectionId))!;
        expect(after.accessToken).toBe(latest.access);
        expect(after.refreshToken).toBe(latest.refresh);
        expect(after.refreshToken).not.toBe(before.refreshToken);
        expect(after.expiresAt).toBeGreaterThan(Date.now() + 3000_000);
        expect(refreshRequests(shop)[0]!.body).toMatchObject({ refresh_token: before.refreshToken, expiring: "1", client_id: standIn.clientId });
        // The stand-in accepts only the latest refresh token: a second refresh proves rotation was persisted.
        await expireAccessToken(host, connectionId);
        expect(await host.tokens.accessToken(connectionId, { minTtlSeconds: 600 })).toBe(standIn.grants.at(-1)!.access);
        expect(refreshRequests(shop)).toHaveLength(2);
      } finally {
        standIn.tokenDelayMs = 0;
      }
    });

    it("two processes (two hosts on one database) refresh once between them, through the lease", async () => {
      const shop = "two-process.myshopify.com";
      const { host, connectionId } = await connectedHost(shop);
      const other = Object.assign(
        await openHost({ ...databaseOf(host), logger: host.logger, connectors: host.connectors, providerRoutes: standIn.providerRoutes, tokens: { leasePollMs: 10 } }),
        { logs: () => "", standIn },
      );
      track(other);
      await expireAccessToken(host, connectionId);
      standIn.tokenDelayMs = 150;
      try {
        const results = await Promise.all([
          ...Array.from({ length: 20 }, () => host.tokens.accessToken(connectionId, { minTtlSeconds: 600 })),
          ...Array.from({ length: 20 }, () => other.tokens.accessToken(connectionId, { minTtlSeconds: 600 })),
        ]);
        expect(refreshRequests(shop)).toHaveLength(1);
        expect(new Set(results).size).toBe(1);
      } finally {
        standIn.tokenDelayMs = 0;
      }
    });

    it("invalid_grant → reauth_required (refresh_failed) at once, without retries", async () => {
      const shop = "invalid-grant.myshopify.com";
      const { host, connectionId } = await connectedHost(shop);
      await expireAccessToken(host, connectionId);
      standIn.scripted.push({ status: 400, body: { error: "invalid_grant", error_description: "The refresh token is revoked" } });
      const error = await host.tokens.accessToken(connectionId, { minTtlSeconds: 600 }).catch((e: unknown) => e as Error);
      errorTexts.push((error as Error).message);
      expect(error).toBeInstanceOf(ReauthRequiredError);
      expect(error).toMatchObject({ code: "reauth_required", reason: "refresh_failed" });
      expect(refreshRequests(shop)).toHaveLength(1);
      expect(await host.store.connections.get(connectionId)).toMatchObject({ status: "reauth_required", status_reason: "refresh_failed" });
      // Later callers are refused without asking the provider again.
      await expect(host.tokens.accessToken(connectionId)).rejects.toMatchObject({ reason: "refresh_failed" });
      expect(refreshRequests(shop)).toHaveLength(1);
      expect((await host.store.tokens.get(connectionId))!.refresh_lease_owner).toBeNull();
    });

    it("a reconnect while a refresh is in flight: the old grant's invalid_grant leaves the reconnected connection active and the new token is used", async () => {
      const shop = "reconnect-during-refresh.myshopify.com";
      const { host, connectionId } = await connectedHost(shop);
      await expireAccessToken(host, connectionId);
      // The provider revoked the old grant when the merchant reconnected: the refresh is refused.
      standIn.scripted.push({ status: 400, body: { error: "invalid_grant", error_description: "The refresh token is revoked" } });
      standIn.tokenDelayMs = 400;
      try {
        const pending = host.tokens.accessToken(connectionId, { minTtlSeconds: 600 });
        while (refreshRequests(shop).length === 0) await new Promise((r) => setTimeout(r, 5));
        // The reconnect's callback writes the new grant while the refresh answer is on its way.
        await writeTokens(
          host.store,
          host.vault,
          connectionId,
          {
            accessToken: "reconnected-access-token",
            refreshToken: "reconnected-refresh-token",
            tokenType: "bearer",
            expiresAt: Date.now() + 3600_000,
            refreshExpiresAt: null,
            scopes: null,
            accountId: null,
          },
          { scopes: ["read_customers", "read_orders"] },
        );
        expect(await pending).toBe("reconnected-access-token");
      } finally {
        standIn.tokenDelayMs = 0;
      }
      expect(await host.store.connections.get(connectionId)).toMatchObject({ status: "active" });
      expect((await readTokens(host.store, host.vault, connectionId))!.refreshToken).toBe("reconnected-refresh-token");
    });

    it("invalid_client at refresh is the operator's: the credential is marked, the connection stays active, and works again once the secret is set", async () => {
      const shop = "invalid-client.myshopify.com";
      const { host, connectionId } = await connectedHost(shop);
      await expireAccessToken(host, connectionId);
      standIn.scripted.push({ status: 401, body: { error: "invalid_client" } });
      const error = (await host.tokens.accessToken(connectionId, { minTtlSeconds: 600 }).catch((e: unknown) => e)) as Error & { code: string };
      errorTexts.push(error.message);
      expect(error).toMatchObject({ code: CLIENT_CREDENTIAL_REJECTED, details: { oauthError: "invalid_client", credentialKey: "shopify_public_app" } });
      // The fix is a field naming no CLI command (the CLI prints `backfill credentials set` for the code).
      expect(error).toMatchObject({ fix: "set the OAuth app credential shopify_public_app (its client id and client secret)" });
      expect(error.message).not.toContain("Fix:");
      expect(refreshRequests(shop)).toHaveLength(1);
      expect(await host.store.connections.get(connectionId)).toMatchObject({ status: "active", status_reason: null });
      expect((await host.credentials.list()).find((c) => c.credentialKey === "shopify_public_app")?.rejected).toMatchObject({ reason: "invalid_client" });

      // The operator sets the (same, here) secret again: the mark is cleared and the next call refreshes.
      await host.credentials.set("shopify_public_app", { clientId: standIn.clientId, clientSecret: standIn.clientSecret });
      expect((await host.credentials.list()).find((c) => c.credentialKey === "shopify_public_app")?.rejected).toBeUndefined();
      expect(await host.tokens.accessToken(connectionId, { minTtlSeconds: 600 })).toBe(standIn.grants.at(-1)!.access);
      expect(refreshRequests(shop)).toHaveLength(2);
    });

    it("an unreadable 2xx answer fails the refresh without marking the connection", async () => {
      const shop = "garbled.myshopify.com";
      const { host, connectionId } = await connectedHost(shop);
      await expireAccessToken(host, connectionId);
      standIn.scripted.push({ status: 200, body: { token: "not where the manifest says" } });
      const error = (await host.tokens.accessToken(connectionId, { minTtlSeconds: 600 }).catch((e: unknown) => e)) as Error;
      errorTexts.push(error.message);
      expect(error).toMatchObject({ code: "http_error" });
      expect(await host.store.connections.get(connectionId)).toMatchObject({ status: "active", status_reason: null });
      expect(await host.tokens.accessToken(connectionId, { minTtlSeconds: 600 })).toBe(standIn.grants.at(-1)!.access);
    });

    it("a missing app credential fails the refresh with the fix and leaves the connection active", async () => {
      const shop = "no-credential.myshopify.com";
      const { host, connectionId } = await connectedHost(shop);
      await expireAccessToken(host, connectionId);
      await host.credentials.delete("shopify_public_app");
      const error = (await host.tokens.accessToken(connectionId, { minTtlSeconds: 600 }).catch((e: unknown) => e)) as Error;
      errorTexts.push(error.message);
      expect(error).not.toBeInstanceOf(ReauthRequiredError);
      // One code for a missing app credential, at connect (OAuthFlowError) and at refresh alike.
      expect(error).toMatchObject({
        code: MISSING_CLIENT_CREDENTIAL,
        details: { credentialKey: "shopify_public_app" },
        fix: "set the OAuth app credential shopify_public_app (its client id and client secret)",
      });
      expect(error.message).not.toContain("Fix:");
      expect(refreshRequests(shop)).toHaveLength(0);
      expect(await host.store.connections.get(connectionId)).toMatchObject({ status: "active" });
      expect((await host.store.tokens.get(connectionId))!.refresh_lease_owner).toBeNull();

      await host.credentials.set("shopify_public_app", { clientId: standIn.clientId, clientSecret: standIn.clientSecret });
      expect(await host.tokens.accessToken(connectionId, { minTtlSeconds: 600 })).toBe(standIn.grants.at(-1)!.access);
    });

    it("disconnect without a revocation endpoint deletes the tokens and says nothing was revoked", async () => {
      const { host, connectionId } = await connectedHost("disconnect.myshopify.com");
      const revokesBefore = standIn.requests.filter((r) => r.path.endsWith("/revoke")).length;
      expect(await disconnect(host.tokens, connectionId)).toEqual({ connectionId, revoked: null, tokensDeleted: true });
      expect(standIn.requests.filter((r) => r.path.endsWith("/revoke")).length).toBe(revokesBefore);
      expect(await host.store.tokens.get(connectionId)).toBeUndefined();
      expect(await host.store.connections.get(connectionId)).toMatchObject({ status: "disconnected", status_reason: "disconnected_by_user" });
    });

    it("5xx and network trouble retry with backoff and never mark the connection", async () => {
      const shop = "flaky.myshopify.com";
      const { host, connectionId } = await connectedHost(shop);
      await expireAccessToken(host, connectionId);
      standIn.scripted.push({ status: 503, body: { error: "unavailable" } }, { status: 502, body: {} });
      expect(await host.tokens.accessToken(connectionId, { minTtlSeconds: 600 })).toBe(standIn.grants.at(-1)!.access);
      expect(refreshRequests(shop)).toHaveLength(3);

      await expireAccessToken(host, connectionId);
      standIn.scripted.push({ status: 500, body: {} }, { status: 500, body: {} }, { status: 500, body: {} });
      const error = (await host.tokens.accessToken(connectionId, { minTtlSeconds: 600 }).catch((e: unknown) => e)) as Error;
      errorTexts.push(error.message);
      expect(error).toMatchObject({ code: "http_error" });
      expect(refreshRequests(shop)).toHaveLength(6);
      expect(await host.store.connections.get(connectionId)).toMatchObject({ status: "active" });
    });

    it("refreshDue refreshes connections whose refresh token would lapse within the window", async () => {
      const shop = "refresh-due.myshopify.com";
      const { host, connectionId } = await connectedHost(shop);
      expect(await host.tokens.refreshDue({ withinMs: 7 * 86400_000 })).toEqual([]);
      await host.store.db
        .updateTable("oauth_tokens")
        .set({ refresh_expires_at: Date.now() + 3 * 86400_000 })
        .where("connection_id", "=", connectionId)
        .execute();
      const outcomes = await host.tokens.refreshDue({ withinMs: 7 * 86400_000 });
      expect(outcomes).toEqual([{ connectionId, ok: true, expiresAt: expect.any(Number) }]);
      expect((await host.store.tokens.get(connectionId))!.refresh_expires_at).toBeGreaterThan(Date.now() + 80 * 86400_000);
    });

    it("migrateTokens moves a legacy non-expiring Shopify token to an expiring one (token exchange)", async () => {
      const shop = "legacy.myshopify.com";
      const { host, connectionId } = await connectedHost(shop);
      const legacy = standIn.issue(shop);
      await writeTokens(
        host.store,
        host.vault,
        connectionId,
        { accessToken: legacy.access, refreshToken: null, tokenType: null, expiresAt: null, refreshExpiresAt: null, scopes: null, accountId: null },
        { scopes: ["read_customers", "read_orders"] },
      );
      const outcomes = await migrateTokens(host.tokens);
      expect(outcomes.find((o) => o.connectionId === connectionId)).toEqual({ connectionId, status: "migrated" });
      const exchange = standIn
        .tokenRequests()
        .filter((r) => r.host === shop)
        .at(-1)!;
      expect(exchange.body).toMatchObject({
        grant_type: "urn:ietf:params:oauth:grant-type:token-exchange",
        subject_token: legacy.access,
        subject_token_type: "urn:shopify:params:oauth:token-type:offline-access-token",
        expiring: "1",
      });
      const after = (await readTokens(host.store, host.vault, connectionId))!;
      expect(after.expiresAt).not.toBeNull();
      expect(after.refreshToken).toBe(standIn.grants.at(-1)!.refresh);
      expect((await migrateTokens(host.tokens, { connectionId }))[0]).toMatchObject({ status: "skipped", reason: "already expiring" });
    });
  });
});
