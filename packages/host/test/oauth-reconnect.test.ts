// Reconnecting an active connection: a reconnect that fails (missing scopes, another
// provider account without force, postConnect failing) leaves the connection's tokens,
// settings and status exactly as they were — and nobody sees the new tokens meanwhile.
import { describe, expect, it } from "vitest";
import type { PostConnectRunner } from "../src/oauth/post-connect.js";
import { readTokens } from "../src/tokens/token-store.js";
import { inProcessPostConnectRunner } from "./in-process-post-connect.js";
import { REDIRECT_URI, connectShop, followAuthorization, openTestHost, shopifyManifest, standInTestBed, type TestHost } from "./oauth-fixtures.js";

const { standIn, errorTexts, track } = standInTestBed();

/**
 * A connected host whose postConnect records the access token STORED while it runs, and
 * can be told to fail.
 */
async function connectedHost(shop: string) {
  const ref: { runner?: PostConnectRunner; failWith?: number } = {};
  const storedDuringPostConnect: (string | undefined)[] = [];
  const host = await openTestHost(standIn, {
    postConnect: async (id, route, candidate) => {
      storedDuringPostConnect.push((await readTokens(host.store, host.vault, id))?.accessToken);
      if (ref.failWith) return { status: ref.failWith, body: { error: { code: "upstream", message: "provider unavailable" } } };
      return ref.runner!(id, route, candidate);
    },
  });
  track(host);
  ref.runner = inProcessPostConnectRunner(host, { syncHttp: standIn.syncHttp });
  const connectionId = await connectShop(host, shop);
  storedDuringPostConnect.length = 0;
  const before = {
    tokens: await host.store.tokens.get(connectionId),
    connection: await host.store.connections.get(connectionId),
  };
  return { host, connectionId, before, storedDuringPostConnect, failNextPostConnect: (status: number) => (ref.failWith = status) };
}

async function reconnect(host: TestHost, connectionId: string, shop: string) {
  const started = await host.oauth.startAuthorization({ manifest: shopifyManifest, settings: { shop_domain: shop }, redirectUri: REDIRECT_URI, connectionId });
  const query = await followAuthorization(started.authorizationUrl, standIn.providerRoutes);
  return host.oauth.completeAuthorization(query).then(
    () => {
      throw new Error("expected the reconnect to fail");
    },
    (e: unknown) => {
      errorTexts.push((e as Error).message, JSON.stringify(e));
      return e as Error & { code: string };
    },
  );
}

async function expectUntouched(host: TestHost, connectionId: string, before: { tokens: unknown; connection: unknown }) {
  expect(await host.store.tokens.get(connectionId)).toEqual(before.tokens);
  expect(await host.store.connections.get(connectionId)).toEqual(before.connection);
  expect(await host.store.connections.get(connectionId)).toMatchObject({ status: "active", status_reason: null });
  // And the previous token still serves callers.
  const previous = (await readTokens(host.store, host.vault, connectionId))!.accessToken;
  expect(await host.tokens.accessToken(connectionId)).toBe(previous);
}

describe("a failed reconnect leaves the previous tokens and status untouched", () => {
  it("missing scopes", async () => {
    const { host, connectionId, before } = await connectedHost("reconnect-scopes.myshopify.com");
    standIn.grantScopes = "read_customers";
    const error = await reconnect(host, connectionId, "reconnect-scopes.myshopify.com");
    expect(error.code).toBe("missing_scopes");
    await expectUntouched(host, connectionId, before);
  });

  it("a different provider account without force (postConnect never sees its tokens stored)", async () => {
    const { host, connectionId, before, storedDuringPostConnect } = await connectedHost("reconnect-account.myshopify.com");
    const previous = (await readTokens(host.store, host.vault, connectionId))!.accessToken;
    const error = await reconnect(host, connectionId, "someone-else");
    expect(error.code).toBe("provider_account_mismatch");
    // postConnect ran with the new token (it named the other shop) while the store still held the previous one.
    expect(storedDuringPostConnect).toEqual([previous]);
    await expectUntouched(host, connectionId, before);
  });

  it("postConnect failing", async () => {
    const { host, connectionId, before, failNextPostConnect } = await connectedHost("reconnect-postconnect.myshopify.com");
    failNextPostConnect(502);
    const error = await reconnect(host, connectionId, "reconnect-postconnect.myshopify.com");
    expect(error.code).toBe("post_connect_failed");
    await expectUntouched(host, connectionId, before);
  });
});
