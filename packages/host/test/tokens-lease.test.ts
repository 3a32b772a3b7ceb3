// The refresh lease against slow token requests (a refresh never outlives its lease
// unnoticed) and callers joining a refresh started for a shorter minTtlSeconds.
import { describe, expect, it } from "vitest";
import type { HostHttp, HostHttpRequest } from "../src/http/host-http.js";
import { TokenManager, type TokenManagerOptions } from "../src/tokens/token-manager.js";
import { readTokens, writeTokens } from "../src/tokens/token-store.js";
import { canary, standInTestBed, type TestHost } from "./oauth-fixtures.js";

import { STORE_TARGETS, stopPostgresAfterAll } from "./store-targets.js";

stopPostgresAfterAll();

describe.each(STORE_TARGETS)("on $name", (target) => {
  const bed = standInTestBed(target);
  const { standIn, refreshRequests } = bed;

  async function connectedHost(shop: string) {
    const connected = await bed.connectedHost(shop);
    // The token is valid for 10 more seconds: any minTtlSeconds above that refreshes.
    await connected.host.store.db
      .updateTable("oauth_tokens")
      .set({ expires_at: Date.now() + 10_000, obtained_at: Date.now() - 3_590_000 })
      .where("connection_id", "=", connected.connectionId)
      .execute();
    return connected;
  }

  /** A second token manager on the same database: another process, as far as the lease can tell. */
  function processOn(host: TestHost, opts: TokenManagerOptions & { http?: HostHttp } = {}): TokenManager {
    const { http, ...options } = opts;
    return new TokenManager({ ...host.tokens.deps, ...(http ? { http } : {}) }, { retryBaseDelayMs: 5, leasePollMs: 10, ...options });
  }

  /** HostHttp that holds each request until `open()` (ignoring its timeout, as a stalled process would). */
  function gatedHttp(inner: HostHttp) {
    let open!: () => void;
    const gate = new Promise<void>((r) => (open = r));
    let reached!: () => void;
    const waiting = new Promise<void>((r) => (reached = r));
    const http: HostHttp = async (req) => {
      reached();
      await gate;
      return inner(req);
    };
    return { http, open, waiting };
  }

  describe("refresh lease", () => {
    it("each token request's timeout is derived from the lease TTL, well below it", async () => {
      const { host, connectionId } = await connectedHost("timeout-bound.myshopify.com");
      const sent: HostHttpRequest[] = [];
      const tokens = processOn(host, { leaseTtlMs: 3_000, http: (req) => (sent.push(req), host.http(req)) });
      await tokens.accessToken(connectionId, { minTtlSeconds: 600 });
      expect(sent).toHaveLength(1);
      expect(sent[0]!.timeoutMs).toBe(1_000);
      expect(tokens.tokenRequestTimeoutMs).toBe(1_000);
    });

    it("the lease is renewed while a slow refresh is in flight: another process waits for it instead of refreshing too", async () => {
      const shop = "slow-refresh.myshopify.com";
      const { host, connectionId } = await connectedHost(shop);
      const slow = gatedHttp(host.http);
      const first = processOn(host, { leaseTtlMs: 300, http: slow.http });
      const second = processOn(host, { leaseTtlMs: 300 });
      const a = first.accessToken(connectionId, { minTtlSeconds: 600 });
      await slow.waiting;
      const b = second.accessToken(connectionId, { minTtlSeconds: 600 });
      // Three lease TTLs pass with the first refresh still in flight.
      await new Promise((r) => setTimeout(r, 900));
      slow.open();
      const [ta, tb] = await Promise.all([a, b]);
      expect(refreshRequests(shop)).toHaveLength(1);
      expect(ta).toBe(standIn.grants.at(-1)!.access);
      expect(tb).toBe(ta);
      expect(await host.store.connections.get(connectionId)).toMatchObject({ status: "active" });
    });

    async function takeOver(host: TestHost, connectionId: string) {
      // What a process that took the lapsed lease over leaves behind: its own refreshed tokens, lease released.
      await host.store.db
        .updateTable("oauth_tokens")
        .set({ refresh_lease_owner: "other-process", refresh_lease_until: Date.now() + 60_000 })
        .where("connection_id", "=", connectionId)
        .execute();
      const theirs = {
        accessToken: canary("taken-over-access"),
        refreshToken: canary("taken-over-refresh"),
        tokenType: null,
        expiresAt: Date.now() + 3_600_000,
        refreshExpiresAt: null,
        scopes: null,
        accountId: null,
      };
      await writeTokens(host.store, host.vault, connectionId, theirs, { scopes: ["read_customers", "read_orders"] });
      return theirs;
    }

    it("a refresh whose lease another process took over does not overwrite what that process wrote", async () => {
      const shop = "taken-over.myshopify.com";
      const { host, connectionId } = await connectedHost(shop);
      const stalled = gatedHttp(host.http);
      const tokens = processOn(host, { leaseTtlMs: 2_000, http: stalled.http });
      const ours = tokens.accessToken(connectionId, { minTtlSeconds: 600 });
      await stalled.waiting;
      const theirs = await takeOver(host, connectionId);
      stalled.open();
      expect(await ours).toBe(theirs.accessToken);
      const stored = (await readTokens(host.store, host.vault, connectionId))!;
      expect(stored.accessToken).toBe(theirs.accessToken);
      expect(stored.refreshToken).toBe(theirs.refreshToken);
      // Our request did reach the provider; its answer was dropped.
      expect(refreshRequests(shop)).toHaveLength(1);
      expect(stored.accessToken).not.toBe(standIn.grants.at(-1)!.access);
      expect(host.logs()).toContain("another process took over");
    });

    it("a rejected refresh after a takeover (the other process spent the refresh token) does not mark the connection", async () => {
      const shop = "taken-over-rejected.myshopify.com";
      const { host, connectionId } = await connectedHost(shop);
      const stalled = gatedHttp(host.http);
      const tokens = processOn(host, { leaseTtlMs: 2_000, http: stalled.http });
      const ours = tokens.accessToken(connectionId, { minTtlSeconds: 600 }).catch((e: unknown) => e);
      await stalled.waiting;
      const theirs = await takeOver(host, connectionId);
      standIn.scripted.push({ status: 400, body: { error: "invalid_grant" } });
      stalled.open();
      expect(await ours).toBe(theirs.accessToken);
      expect(await host.store.connections.get(connectionId)).toMatchObject({ status: "active", status_reason: null });
    });
  });

  describe("minTtlSeconds and a shared refresh", () => {
    it("a caller joining a refresh started for a shorter minimum shares its token when no refresh could do better", async () => {
      const shop = "joined-longer.myshopify.com";
      const { host, connectionId } = await connectedHost(shop);
      // The first refresh answers a token valid for 1000 s: enough for 600, not for 2000.
      const short = standIn.issue(shop);
      standIn.scripted.push({ status: 200, body: { access_token: short.access, refresh_token: short.refresh, expires_in: 1000, scope: "read_customers,read_orders" } });
      standIn.tokenDelayMs = 100;
      try {
        const [modest, demanding] = await Promise.all([
          host.tokens.accessToken(connectionId, { minTtlSeconds: 600 }),
          host.tokens.accessToken(connectionId, { minTtlSeconds: 2000 }),
        ]);
        // The provider issues 1000-second tokens: a second refresh for the 2000 s caller would spend
        // a refresh token for another 1000-second one.
        expect(modest).toBe(short.access);
        expect(demanding).toBe(short.access);
        expect(refreshRequests(shop)).toHaveLength(1);
        const stored = (await readTokens(host.store, host.vault, connectionId))!;
        expect(stored.accessToken).toBe(short.access);
      } finally {
        standIn.tokenDelayMs = 0;
      }
    });

    it("a minimum longer than the provider's whole token lifetime refreshes at most once and returns the fresh token", async () => {
      const shop = "too-demanding.myshopify.com";
      const { host, connectionId } = await connectedHost(shop);
      // The provider issues 60-second tokens (Keycloak-style), the route asks for 600 s each call.
      const shortLived = standIn.issue(shop);
      standIn.scripted.push({ status: 200, body: { access_token: shortLived.access, refresh_token: shortLived.refresh, expires_in: 60, scope: "read_customers,read_orders" } });
      const calls = await Promise.all(Array.from({ length: 5 }, () => host.tokens.accessToken(connectionId, { minTtlSeconds: 600 })));
      expect(new Set(calls)).toEqual(new Set([shortLived.access]));
      for (let i = 0; i < 5; i++) expect(await host.tokens.accessToken(connectionId, { minTtlSeconds: 600 })).toBe(shortLived.access);
      // One refresh token spent, not one per call; the lifetime shortfall is logged, not thrown.
      expect(refreshRequests(shop)).toHaveLength(1);
      expect(host.logs()).toContain("less than the minTtlSeconds asked");
    });
  });
});
