// The OAuth flow through the server, end to end: GET /oauth/start redirects to the
// provider stand-in, the provider redirects back to GET /oauth/callback, and the host
// exchanges the code and answers with the active connection, never a secret.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RouteRunner } from "../../src/runner/index.js";
import { startHostServer, type RunningServer } from "../../src/server/index.js";
import { readTokens } from "../../src/tokens/token-store.js";
import { CANARY, ProviderStandIn, databaseBytes, followAuthorization, openTestHost, type TestHost } from "../oauth-fixtures.js";

const standIn = new ProviderStandIn();
let host: TestHost;
let runner: RouteRunner;
let server: RunningServer;

beforeAll(async () => {
  await standIn.start();
  host = await openTestHost(standIn);
  runner = new RouteRunner();
  server = await startHostServer({ host, runner, port: 0 });
});

afterAll(async () => {
  await server.close();
  await runner.close();
  await host.close();
  await standIn.stop();
});

describe("GET /oauth/start → provider → GET /oauth/callback", () => {
  it("connects a shop through the server and refuses a replayed callback", async () => {
    const start = await fetch(`${server.url}/oauth/start?connector=shopify&shop_domain=acme`, { redirect: "manual" });
    expect(start.status).toBe(302);
    const authorizationUrl = start.headers.get("location")!;
    const redirectUri = `${server.url}/oauth/callback`;
    expect(new URL(authorizationUrl).searchParams.get("redirect_uri")).toBe(redirectUri);

    const query = await followAuthorization(authorizationUrl, standIn.providerRoutes);
    const callbackUrl = `${server.url}/oauth/callback?${new URLSearchParams(query).toString()}`;
    const callback = await fetch(callbackUrl);
    const text = await callback.text();
    expect(callback.status).toBe(200);
    const done = JSON.parse(text) as { connectionId: string };
    expect(done).toMatchObject({ ok: true, connector: "shopify", status: "active", providerAccount: { id: "gid://shopify/Shop/acme" }, scopes: ["read_customers", "read_orders"] });
    expect(standIn.tokenRequests().at(-1)?.body).toMatchObject({ grant_type: "authorization_code", code: query.code, redirect_uri: redirectUri });
    expect(await host.store.getConnection(done.connectionId)).toMatchObject({ status: "active", connector_key: "shopify" });
    expect((await readTokens(host.store, host.vault, done.connectionId))?.accessToken).toBe(standIn.grants.at(-1)?.access);

    const replay = await fetch(callbackUrl);
    const replayText = await replay.text();
    expect(replay.status).toBe(400);
    expect(JSON.parse(replayText)).toMatchObject({ error: { code: "state_replayed" } });

    // No token, code or client secret in any answer, log line or database file.
    for (const haystack of [text, replayText, host.logs(), databaseBytes(host.dbFile)]) expect(haystack).not.toContain(CANARY);
  });
});
