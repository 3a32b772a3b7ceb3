// The OAuth flow through the server, end to end, and the attacks on its start: the
// operator mints a connect session (host API key), the merchant's browser opens its
// connectUrl (GET /oauth/start sets a browser-binding cookie and redirects to the provider
// stand-in), the provider redirects back to GET /oauth/callback/<connector>, and the host
// exchanges the code. Every refused request answers a clear error and writes nothing.
import { mkdtempSync, mkdirSync, writeFileSync, existsSync } from "node:fs";
import { request as httpRequest } from "node:http";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { RouteRunner } from "../../src/runner/index.js";
import { createApiKey, startHostServer, type RunningServer } from "../../src/server/index.js";
import { readTokens } from "../../src/tokens/token-store.js";
import { CANARY, ProviderStandIn, canary, databaseBytes, followAuthorization, openTestHost, type TestHost } from "../oauth-fixtures.js";

const standIn = new ProviderStandIn();
let host: TestHost;
let runner: RouteRunner;
let server: RunningServer;
let apiKey: string;

beforeAll(async () => {
  await standIn.start();
  host = await openTestHost(standIn);
  runner = new RouteRunner();
  server = await startHostServer({ host, runner, port: 0 });
  apiKey = (await createApiKey(host.store, "operator")).key;
});

afterAll(async () => {
  await server.close();
  await runner.close();
  await host.close();
  await standIn.stop();
});

type Minted = { id: string; token: string; connectUrl: string; startUrl: string; expiresAt: string };

async function mintSession(body: Record<string, unknown> = {}, path = "/api/connect/sessions"): Promise<Minted> {
  const defaults = path.endsWith("/reconnect") ? {} : { connectors: ["shopify"], endUser: { id: "user-1", email: "ops@example.com" }, tags: { plan: "pro" } };
  const res = await fetch(`${server.url}${path}`, {
    method: "POST",
    headers: { authorization: `Bearer ${apiKey}`, "content-type": "application/json" },
    body: JSON.stringify({ ...defaults, ...body }),
  });
  expect(res.status, await res.clone().text()).toBe(201);
  return (await res.json()) as Minted;
}

/** A browser with a cookie jar for the host's origin. */
class Browser {
  private readonly cookies = new Map<string, string>();
  async get(url: string): Promise<Response> {
    const cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join("; ");
    const res = await fetch(url, { redirect: "manual", headers: cookie ? { cookie } : {} });
    for (const line of res.headers.getSetCookie()) {
      const [pair] = line.split(";");
      const at = pair!.indexOf("=");
      this.cookies.set(pair!.slice(0, at), pair!.slice(at + 1));
    }
    return res;
  }
  /** Opens a connect URL and approves at the provider; the callback URL the provider sends back. */
  async authorize(connectUrl: string): Promise<string> {
    const start = await this.get(connectUrl);
    expect(start.status, await start.clone().text()).toBe(302);
    const query = await followAuthorization(start.headers.get("location")!, standIn.providerRoutes);
    const redirectUri = new URL(start.headers.get("location")!).searchParams.get("redirect_uri")!;
    return `${redirectUri}?${new URLSearchParams(query).toString()}`;
  }
}

async function rowCounts() {
  const count = async (table: "connections" | "pending_authorizations" | "connection_secrets" | "oauth_tokens") =>
    Number(
      (
        await host.store.db
          .selectFrom(table)
          .select((eb) => eb.fn.countAll().as("n"))
          .executeTakeFirstOrThrow()
      ).n,
    );
  return {
    connections: await count("connections"),
    pending: await count("pending_authorizations"),
    secrets: await count("connection_secrets"),
    tokens: await count("oauth_tokens"),
  };
}

let before: Awaited<ReturnType<typeof rowCounts>>;
beforeEach(async () => {
  before = await rowCounts();
});

describe("connect sessions → GET /oauth/start → provider → GET /oauth/callback/<connector>", () => {
  it("connects a shop for the session's end user, and refuses a replayed callback", async () => {
    const session = await mintSession({ settings: { shop_domain: "acme" } });
    expect(session.startUrl).toBe(`${server.url}/oauth/start?session=${session.token}&connector=shopify`);
    expect(session.connectUrl).toBe(`${server.url}/connect?session=${session.token}&connector=shopify`);
    const browser = new Browser();
    const callbackUrl = await browser.authorize(session.startUrl);
    const redirectUri = `${server.url}/oauth/callback/shopify`;
    expect(callbackUrl.startsWith(`${redirectUri}?`)).toBe(true);

    const callback = await browser.get(callbackUrl);
    const text = await callback.text();
    expect(callback.status, text).toBe(200);
    const done = JSON.parse(text) as { connectionId: string };
    expect(done).toMatchObject({ ok: true, connector: "shopify", status: "active", providerAccount: { id: "gid://shopify/Shop/acme" }, scopes: ["read_customers", "read_orders"] });
    const query = Object.fromEntries(new URL(callbackUrl).searchParams);
    expect(standIn.tokenRequests().at(-1)?.body).toMatchObject({ grant_type: "authorization_code", code: query.code, redirect_uri: redirectUri });
    expect(await host.store.connections.get(done.connectionId)).toMatchObject({
      status: "active",
      connector_key: "shopify",
      end_user: { id: "user-1", email: "ops@example.com" },
      tags: { plan: "pro" },
    });
    expect((await readTokens(host.store, host.vault, done.connectionId))?.accessToken).toBe(standIn.grants.at(-1)?.access);
    const api = (await (await fetch(`${server.url}/api/connections/${done.connectionId}`, { headers: { authorization: `Bearer ${apiKey}` } })).json()) as { connection: unknown };
    expect(api.connection).toMatchObject({ endUser: { id: "user-1" }, tags: { plan: "pro" } });

    const replay = await browser.get(callbackUrl);
    const replayText = await replay.text();
    expect(replay.status).toBe(400);
    expect(JSON.parse(replayText)).toMatchObject({ error: { code: "state_replayed" } });

    // The session was single-use.
    const again = await new Browser().get(session.startUrl);
    expect(again.status).toBe(401);
    expect(((await again.json()) as { error: { code: string } }).error.code).toBe("connect_session_used");

    // No token, code or client secret in any answer, log line or database file.
    for (const haystack of [text, replayText, host.logs(), databaseBytes(host.dbFile)]) expect(haystack).not.toContain(CANARY);
  });

  it("an anonymous start is refused with 401 and writes nothing, however often it is tried", async () => {
    for (let i = 0; i < 60; i++) {
      const res = await fetch(`${server.url}/oauth/start?connector=shopify&shop_domain=acme${i}`, { redirect: "manual" });
      expect(res.status).toBe(401);
      expect(((await res.json()) as { error: { code: string; fix: string } }).error).toMatchObject({
        code: "connect_session_required",
        fix: expect.stringContaining("/api/connect/sessions"),
      });
    }
    const forged = await fetch(`${server.url}/oauth/start?session=bcs_forged&connector=shopify&shop_domain=acme`, { redirect: "manual" });
    expect(forged.status).toBe(401);
    expect(await rowCounts()).toEqual(before);
  });

  it("minting a session needs a host API key, and a bad body is a clear 400", async () => {
    const anonymous = await fetch(`${server.url}/api/connect/sessions`, { method: "POST", body: JSON.stringify({ connectors: ["shopify"], endUser: { id: "x" } }) });
    expect(anonymous.status).toBe(401);
    const bad = await fetch(`${server.url}/api/connect/sessions`, {
      method: "POST",
      headers: { authorization: `Bearer ${apiKey}` },
      body: JSON.stringify({ connectors: [], endUser: {} }),
    });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { code: string; message: string } }).error).toMatchObject({
      code: "invalid_connect_session_request",
      message: expect.stringContaining("endUser.id"),
    });
    const unknownConnector = await fetch(`${server.url}/api/connect/sessions`, {
      method: "POST",
      headers: { authorization: `Bearer ${apiKey}` },
      body: JSON.stringify({ connectors: ["nope"], endUser: { id: "x" } }),
    });
    expect(unknownConnector.status).toBe(404);
    const typo = await fetch(`${server.url}/api/connect/sessions`, {
      method: "POST",
      headers: { authorization: `Bearer ${apiKey}` },
      body: JSON.stringify({ connectors: ["shopify"], endUser: { id: "x" }, settings: { shop_domian: "acme" } }),
    });
    expect(((await typo.json()) as { error: { code: string; message: string } }).error).toMatchObject({
      code: "unknown_setting",
      message: expect.stringContaining("did you mean shop_domain"),
    });
  });

  it("a start cannot write secret settings into an existing connection (the webhook-key swap)", async () => {
    const connectionId = (await host.store.connections.list({ status: "active" }))[0]!.id;
    const secretsBefore = await host.store.connectionSecrets.listNames(connectionId);
    const session = await mintSession();
    const attack = await fetch(`${session.startUrl}&shop_domain=acme&connection=${connectionId}&webhook_secret=attacker-key`, { redirect: "manual" });
    expect(attack.status).toBe(400);
    expect(((await attack.json()) as { error: { code: string } }).error.code).toBe("unknown_setting");
    expect(await host.store.connectionSecrets.listNames(connectionId)).toEqual(secretsBefore);
    expect(await rowCounts()).toEqual(before);
  });

  it("unknown settings (a typo, a smuggled state or redirect_uri) are refused with the closest name", async () => {
    for (const extra of ["shop_domian=acme", "redirect_uri=https://evil.example/cb", "state=abc"]) {
      const session = await mintSession();
      const res = await fetch(`${session.startUrl}&${extra}`, { redirect: "manual" });
      expect(res.status).toBe(400);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe("unknown_setting");
    }
    const session = await mintSession();
    const res = await fetch(`${session.startUrl}&shop_domian=acme`, { redirect: "manual" });
    expect(((await res.json()) as { error: { message: string } }).error.message).toContain("did you mean shop_domain?");
    expect(await rowCounts()).toEqual(before);
  });

  it("settings wait, encrypted, in the pending authorization and reach the connection only after the callback", async () => {
    const secret = canary("webhook-secret");
    const session = await mintSession();
    const browser = new Browser();
    const callbackUrl = await browser.authorize(`${session.startUrl}&shop_domain=secret-shop&webhook_secret=${secret}`);
    const mid = await rowCounts();
    expect(mid).toMatchObject({ connections: before.connections, secrets: before.secrets, tokens: before.tokens, pending: before.pending + 1 });
    expect(databaseBytes(host.dbFile)).not.toContain(secret);

    const done = (await (await browser.get(callbackUrl)).json()) as { connectionId: string };
    expect((await host.store.connections.get(done.connectionId))!.settings).toEqual({ shop_domain: "secret-shop.myshopify.com" });
    expect(await host.store.connectionSecrets.listNames(done.connectionId)).toEqual(["webhook_secret"]);
    expect(databaseBytes(host.dbFile)).not.toContain(secret);
  });

  it("a callback from another browser is refused, stores nothing, and leaves the state to the genuine browser", async () => {
    const session = await mintSession({ settings: { shop_domain: "victim-shop" } });
    const genuine = new Browser();
    const callbackUrl = await genuine.authorize(session.startUrl);
    const tokenRequests = standIn.tokenRequests().length;
    const other = await new Browser().get(callbackUrl);
    expect(other.status).toBe(403);
    expect(((await other.json()) as { error: { code: string } }).error.code).toBe("browser_mismatch");
    expect(standIn.tokenRequests().length).toBe(tokenRequests);
    expect(await rowCounts()).toMatchObject({ connections: before.connections, tokens: before.tokens, secrets: before.secrets });
    const done = await genuine.get(callbackUrl);
    expect(done.status).toBe(200);
  });

  it("mix-up: a state minted for one connector is refused at another connector's callback, before the code is exchanged", async () => {
    const session = await mintSession({ settings: { shop_domain: "mixup-shop" } });
    const browser = new Browser();
    const callbackUrl = new URL(await browser.authorize(session.startUrl));
    callbackUrl.pathname = "/oauth/callback/square";
    const tokenRequests = standIn.tokenRequests().length;
    const res = await browser.get(callbackUrl.toString());
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe("connector_mismatch");
    expect(standIn.tokenRequests().length).toBe(tokenRequests);
  });

  it("RFC 9207: a callback with a foreign iss is refused before the code is exchanged", async () => {
    const session = await mintSession({ settings: { shop_domain: "iss-shop" } });
    const browser = new Browser();
    const callbackUrl = new URL(await browser.authorize(session.startUrl));
    callbackUrl.searchParams.set("iss", "https://evil.example");
    const tokenRequests = standIn.tokenRequests().length;
    const res = await browser.get(callbackUrl.toString());
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe("issuer_mismatch");
    expect(standIn.tokenRequests().length).toBe(tokenRequests);
  });

  it("a session allows only its connectors, and an expired one is refused", async () => {
    const session = await mintSession();
    const other = await fetch(`${server.url}/oauth/start?session=${session.token}&connector=square`, { redirect: "manual" });
    expect(other.status).toBe(403);
    expect(((await other.json()) as { error: { code: string } }).error.code).toBe("connector_not_allowed");

    const expiring = await mintSession({ settings: { shop_domain: "late-shop" } });
    await host.store.db
      .updateTable("connect_sessions")
      .set({ expires_at: host.store.now() - 1 })
      .where("id", "=", expiring.id)
      .execute();
    const late = await fetch(expiring.startUrl, { redirect: "manual" });
    expect(late.status).toBe(401);
    expect(((await late.json()) as { error: { code: string } }).error.code).toBe("connect_session_expired");
    expect(await rowCounts()).toEqual(before);
  });

  it("a reconnect session replaces the tokens of its connection, and only of it", async () => {
    const connectionId = (await host.store.connections.list({ status: "active" }))[0]!.id;
    const shop = (await host.store.connections.get(connectionId))!.settings as { shop_domain: string };
    const session = await mintSession({ connectionId }, "/api/connect/sessions/reconnect");
    const browser = new Browser();
    const done = (await (await browser.get(await browser.authorize(`${session.startUrl}&shop_domain=${shop.shop_domain}`))).json()) as { connectionId: string };
    expect(done.connectionId).toBe(connectionId);
    expect((await readTokens(host.store, host.vault, connectionId))?.accessToken).toBe(standIn.grants.at(-1)?.access);
    expect((await rowCounts()).connections).toBe(before.connections);
  });

  it("the connector registry is closed: a path as the connector key never imports a module", async () => {
    const planted = mkdtempSync(join(tmpdir(), "backfill-planted-"));
    const marker = join(planted, "ran");
    mkdirSync(join(planted, "dist"), { recursive: true });
    writeFileSync(join(planted, "package.json"), JSON.stringify({ name: "planted", type: "module" }));
    const payload = `import { writeFileSync } from "node:fs"; writeFileSync(${JSON.stringify(marker)}, "pwned"); export default {};`;
    writeFileSync(join(planted, "backfill.config.ts"), payload);
    writeFileSync(join(planted, "dist", "backfill.config.js"), payload);
    const traversal = relative(process.cwd(), planted);
    const session = await mintSession();
    for (const key of [`../../${traversal}`, planted, "..%2F..%2Ftmp", "Shopify", "a".repeat(100)]) {
      const res = await fetch(`${server.url}/oauth/start?session=${session.token}&connector=${encodeURIComponent(key)}`, { redirect: "manual" });
      expect([400, 403, 404]).toContain(res.status);
    }
    expect(await host.connectors.get(`../../${traversal}`)).toBeUndefined();
    expect(existsSync(marker)).toBe(false);
    expect(await rowCounts()).toEqual(before);
  });

  it("answers only for its own host names (DNS rebinding)", async () => {
    const status = (hostHeader: string) =>
      new Promise<number>((resolve, reject) => {
        const req = httpRequest(`${server.url}/health`, { headers: { host: hostHeader } }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        });
        req.on("error", reject);
        req.end();
      });
    expect(await status("evil.example")).toBe(403);
    expect(await status(`evil.example:${server.port}`)).toBe(403);
    expect(await status(`127.0.0.1:${server.port}`)).toBe(200);
    expect(await status(`localhost:${server.port}`)).toBe(200);
  });

  it("clamps list limits to 1..1000 (a negative LIMIT is no limit in SQLite)", async () => {
    const auth = { authorization: `Bearer ${apiKey}` };
    const connectionId = (await host.store.connections.list({ status: "active" }))[0]!.id;
    await host.store.commitPage(connectionId, "customers", [{ kind: "customer", items: [1, 2, 3].map((n) => ({ idempotencyKey: `customer:${n}`, payload: { id: `c${n}` } })) }]);
    const records = (await (await fetch(`${server.url}/api/records?connection=${connectionId}&limit=-1`, { headers: auth })).json()) as { records: unknown[] };
    expect(records.records).toHaveLength(1);
    const bad = await fetch(`${server.url}/api/records?connection=${connectionId}&after=x1`, { headers: auth });
    expect(bad.status).toBe(400);
    const runs = await fetch(`${server.url}/api/runs?limit=-5`, { headers: auth });
    expect(runs.status).toBe(200);
  });

  it("a port in use is a clear error, not a stack trace", async () => {
    await expect(startHostServer({ host, runner, port: server.port })).rejects.toMatchObject({
      code: "EADDRINUSE",
      message: `port ${server.port} on 127.0.0.1 is in use`,
    });
  });
});
