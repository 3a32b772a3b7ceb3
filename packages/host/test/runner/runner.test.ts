import { Worker } from "node:worker_threads";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { RouteRunner, createUndiciTransport } from "../../src/runner/index.js";
import { CANARY_SECRET, CANARY_TOKEN, DEMO_DIR, PROVIDER_HOST, TENANT_HOST, customerPages, fakeServices, json, startServer, type TestServer } from "./support.js";

let server: TestServer;
let runner: RouteRunner;
const pages = customerPages(3, 2);

beforeAll(async () => {
  server = await startServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://x");
    if (url.pathname === "/customers") return json(res, 200, pages(Number(url.searchParams.get("page") ?? 1)));
    if (url.pathname === "/echo") return json(res, 200, { authorization: req.headers.authorization ?? null, host: req.headers["x-forwarded-host"] ?? null });
    if (url.pathname === "/redirect-out") {
      res.writeHead(302, { location: "https://evil.example.com/steal" });
      return res.end();
    }
    if (url.pathname === "/redirect-tenant") {
      // From the provider's host (routed here) to a host allowed only by a wildcard pattern.
      res.writeHead(302, { location: `https://${TENANT_HOST}/echo` });
      return res.end();
    }
    if (url.pathname === "/redirect-other") {
      // From the provider's host to another fixed host of permissions.http: another origin.
      res.writeHead(307, { location: "https://other.provider.test/echo" });
      return res.end();
    }
    if (url.pathname === "/redirect-in") {
      res.writeHead(302, { location: "/echo" });
      return res.end();
    }
    if (url.pathname === "/loop") {
      res.writeHead(302, { location: "/loop" });
      return res.end();
    }
    if (url.pathname === "/big") return json(res, 200, { data: "x".repeat(200_000) });
    json(res, 404, { error: "not found" });
  });
  // Provider routing: https://api.provider.test/* is judged as written, then sent to the local server.
  const transport = createUndiciTransport({
    route: (url) => (url.hostname.endsWith(".provider.test") ? new URL(`${url.pathname}${url.search}`, server.base) : url),
  });
  runner = new RouteRunner({ transport, routeTimeoutMs: 10_000, http: { maxResponseBytes: 100_000 } });
});

afterAll(async () => {
  await runner.close();
  await server.close();
});

const probe = async (body: unknown, services = fakeServices(server.port)) => {
  const result = await runner.runRoute({
    connectorDir: DEMO_DIR,
    services,
    route: "/probe",
    input: { rawBody: JSON.stringify(body), headers: { "content-type": "application/json" } },
  });
  return { result, body: JSON.parse(result.bodyText) as Record<string, unknown>, services };
};

describe("route runner", () => {
  it("runs a sync route in a worker with real HTTP and stages records and checkpoint", async () => {
    const services = fakeServices(server.port);
    const result = await runner.runRoute({ connectorDir: DEMO_DIR, services, route: "/sync/customers" });
    expect(result.outcome).toBe("ok");
    expect(result.status).toBe(200);
    expect(JSON.parse(result.bodyText)).toMatchObject({ accepted: 2, rejected: 0, page: 1 });
    expect(result.staged.records.map((r) => r.idempotencyKey)).toEqual(["customer:c1", "customer:c2"]);
    expect(result.staged.records[0]).toMatchObject({ kind: "customer", stream: "customers", payload: { customer_id: "c1", display_name: "Customer 1" } });
    expect(result.staged.checkpoints).toEqual([{ stream: "customers", state: { page: 2 }, hasMore: true }]);

    services.checkpoints.set("customers", { page: 3 });
    const last = await runner.runRoute({ connectorDir: DEMO_DIR, services, route: "/sync/customers" });
    expect(last.staged.checkpoints).toEqual([{ stream: "customers", state: { page: 3 }, hasMore: false }]);
  });

  it("answers 404 for a missing route and 405 for a missing method", async () => {
    const services = fakeServices(server.port);
    expect((await runner.runRoute({ connectorDir: DEMO_DIR, services, route: "/nope" })).status).toBe(404);
    expect((await runner.runRoute({ connectorDir: DEMO_DIR, services, route: "/probe", method: "GET" })).status).toBe(405);
  });

  it("describes a route's exported config", async () => {
    const d = await runner.describe({ connectorDir: DEMO_DIR }, "0.1.0", "/webhook");
    expect(d?.config).toEqual({ auth: "webhook" });
    expect(d?.methods).toEqual(["POST"]);
  });

  describe("permissions", () => {
    it("denies a host outside permissions.http", async () => {
      const { body } = await probe({ action: "http", url: "https://evil.example.com/x" });
      expect(body).toMatchObject({ ok: false, code: "permission_denied", errorClass: "PermissionDeniedError" });
      expect(server.requests.some((r) => r.url.includes("/x"))).toBe(false);
    });

    it("denies userinfo in the URL", async () => {
      const { body } = await probe({ action: "http", url: `http://user:pw@127.0.0.1:${server.port}/echo` });
      expect(body).toMatchObject({ ok: false, code: "permission_denied" });
      expect(String(body.message)).not.toContain("pw");
    });

    it("denies a redirect to a disallowed host, and follows an allowed one", async () => {
      const out = await probe({ action: "http", url: `${server.base}/redirect-out` });
      expect(out.body).toMatchObject({ ok: false, code: "permission_denied" });
      const inside = await probe({ action: "http", url: `${server.base}/redirect-in` });
      expect(inside.body).toMatchObject({ ok: true, status: 200 });
    });

    it("stops after 5 redirects", async () => {
      const { body } = await probe({ action: "http", url: `${server.base}/loop` });
      expect(body).toMatchObject({ ok: false, code: "http_error" });
      expect(String(body.message)).toContain("redirects");
    });

    it("attaches the OAuth token only to the provider's host and fixed hosts in permissions.http", async () => {
      // Allowed by a wildcard pattern: another tenant's host could match it.
      const denied = await probe({ action: "http", url: `https://${TENANT_HOST}/echo`, oauth: true });
      expect(denied.body).toMatchObject({ ok: false, code: "permission_denied" });
      expect(denied.services.tokenCalls).toBe(0);

      const fixed = await probe({ action: "http", url: "https://other.provider.test/echo", oauth: true });
      expect(fixed.body).toMatchObject({ ok: true, status: 200, body: { host: "other.provider.test" } });
      expect(server.requests.at(-1)?.headers.authorization).toBe(`Bearer ${CANARY_TOKEN}`);

      const allowed = await probe({ action: "http", url: `https://${PROVIDER_HOST}/echo`, oauth: true });
      expect(allowed.body).toMatchObject({ ok: true, status: 200, body: { host: PROVIDER_HOST } });
      expect(server.requests.at(-1)?.headers.authorization).toBe(`Bearer ${CANARY_TOKEN}`);
      // The route echoed the token back, but the runner's returned body is redacted.
      expect(allowed.result.bodyText).not.toContain(CANARY_TOKEN);
      expect(server.requests.filter((r) => r.headers.authorization).length).toBe(2);
    });

    it("attaches the token under auth.oauth's header and scheme, and drops it on a redirect to a host it may not go to", async () => {
      const bare = await probe({ action: "http", url: `https://${PROVIDER_HOST}/echo`, oauth: { header: "X-Shopify-Access-Token", scheme: null } });
      expect(bare.body).toMatchObject({ ok: true, status: 200 });
      expect(server.requests.at(-1)?.headers["x-shopify-access-token"]).toBe(CANARY_TOKEN);
      expect(server.requests.at(-1)?.headers.authorization).toBeUndefined();

      // A header name the redactor would not call sensitive is dropped all the same.
      for (const [oauth, sent] of [
        [{ header: "X-Shopify-Access-Token", scheme: null }, CANARY_TOKEN],
        [{ header: "X-Provider-Auth", scheme: "Token" }, `Token ${CANARY_TOKEN}`],
      ] as const) {
        const before = server.requests.length;
        const hopped = await probe({ action: "http", url: `https://${PROVIDER_HOST}/redirect-tenant`, oauth });
        expect(hopped.body).toMatchObject({ ok: true, status: 200 });
        const [first, second] = server.requests.slice(before);
        expect([first?.url, second?.url]).toEqual(["/redirect-tenant", "/echo"]);
        expect(second?.headers["x-forwarded-host"]).toBe(TENANT_HOST);
        expect(first?.headers[oauth.header.toLowerCase()]).toBe(sent);
        expect(second?.headers[oauth.header.toLowerCase()]).toBeUndefined();
      }
    });

    it("one redirect policy with Files.download: no credential follows a redirect to another origin, a token host's included", async () => {
      const before = server.requests.length;
      const hopped = await probe({
        action: "http",
        url: `https://${PROVIDER_HOST}/redirect-other`,
        oauth: true,
        headers: { "proxy-authorization": `Basic ${CANARY_SECRET}`, "x-trace": "kept" },
      });
      expect(hopped.body).toMatchObject({ ok: true, status: 200 });
      const [first, second] = server.requests.slice(before);
      expect([first?.url, second?.url]).toEqual(["/redirect-other", "/echo"]);
      expect(first?.headers.authorization).toBe(`Bearer ${CANARY_TOKEN}`);
      expect(second?.headers["x-forwarded-host"]).toBe("other.provider.test");
      expect(second?.headers.authorization).toBeUndefined();
      expect(second?.headers["proxy-authorization"]).toBeUndefined();
      expect(second?.headers["x-trace"]).toBe("kept");
    });

    it("refuses secrets not declared readable and secret settings via Settings.get", async () => {
      expect((await probe({ action: "secret", name: "other" })).body).toMatchObject({ ok: false, code: "permission_denied" });
      expect((await probe({ action: "secret", name: "api_key" })).body).toMatchObject({ ok: true, present: true });
      expect((await probe({ action: "setting", name: "api_key" })).body).toMatchObject({ ok: false, code: "permission_denied" });
      expect((await probe({ action: "setting", name: "base_url" })).body).toMatchObject({ ok: true, value: server.base });
    });

    it("answers Settings.get in the worker from the readable settings only: an x-secret setting's value never crosses to the route's thread", async () => {
      const posted = vi.spyOn(Worker.prototype, "postMessage");
      try {
        const services = fakeServices(server.port, { settings: { base_url: server.base, api_key: CANARY_SECRET } });
        const refused = await probe({ action: "setting", name: "api_key" }, services);
        expect(refused.body).toMatchObject({ ok: false, code: "permission_denied" });
        expect(refused.result.bodyText).not.toContain(CANARY_SECRET);
        expect((await probe({ action: "setting", name: "base_url" }, services)).body).toMatchObject({ ok: true, value: server.base });
        // Every message the main thread sent to a route worker (invocations, replies go on the call port).
        const sent = JSON.stringify(posted.mock.calls.map(([message]): unknown => message));
        expect(sent).toContain(server.base);
        expect(sent).not.toContain(CANARY_SECRET);
      } finally {
        posted.mockRestore();
      }
    });

    it("refuses ingest of an entity without a write grant and validates payloads", async () => {
      expect((await probe({ action: "ingest", kind: "sales_receipt", payloads: [] })).body).toMatchObject({ ok: false, code: "permission_denied" });
      const { body, result } = await probe({ action: "ingest", kind: "customer", payloads: [{ customer_id: "a" }, { display_name: "no id" }] });
      expect(body).toMatchObject({ ok: false, code: "invalid_request" });
      expect(result.staged.records).toEqual([]);
    });
  });

  it("rebuilds reauth_required in the route from the bridge", async () => {
    const services = fakeServices(server.port);
    services.reauth = true;
    const { body } = await probe({ action: "token" }, services);
    expect(body).toMatchObject({ ok: false, code: "reauth_required", reason: "refresh_failed", errorClass: "ReauthRequiredError" });
  });

  it("gives the route its connection info", async () => {
    const { body } = await probe({ action: "info" });
    expect(body).toEqual({ ok: true, info: { connectionId: "conn_demo", connectorKey: "demo" } });
  });

  it("limits the response size", async () => {
    const { body } = await probe({ action: "http", url: `${server.base}/big` });
    expect(body).toMatchObject({ ok: false, code: "http_error" });
    expect(String(body.message)).toContain("larger than");
  });

  it("redacts logs and stages redactions and status changes", async () => {
    const services = fakeServices(server.port);
    await probe({ action: "secret", name: "api_key" }, services);
    const { result } = await probe({ action: "log", message: `key is ${CANARY_SECRET}` }, services);
    expect(result.logs).toHaveLength(1);
    expect(JSON.stringify(result.logs)).not.toContain(CANARY_SECRET);
    expect(JSON.stringify(result.logs)).not.toContain("never-shown");
    expect(services.logged).toHaveLength(1);
    expect((await probe({ action: "redact" })).result.staged.redactions).toEqual([{ all: true }]);
    expect((await probe({ action: "revoke" })).result.staged.connectionStatus).toEqual({ status: "revoked", reason: "uninstalled" });
  });
});
