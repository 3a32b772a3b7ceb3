import { afterEach, describe, expect, it } from "vitest";
import { api, BackfillError, Checkpoint, defineConnector, Http, ingest, log, OAuth, Secrets, Settings, retryAfterSeconds, type ErrorBody } from "../src/index.js";
import { connectorTestRuntime, RuntimeLeakCheck, type ConnectorTestRuntime } from "../src/testing/index.js";

const manifest = defineConnector({
  key: "example",
  name: "Example",
  version: "0.1.0",
  permissions: {
    // other.example.com is reachable only through the wildcard: it never gets the token.
    http: ["https://api.example.com/*", "https://*.example.com/*"],
    entities: { SalesReceipt: ["write"] },
    secrets: { signing_key: ["read"] },
  },
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
    settingsSchema: {
      required: ["region"],
      properties: { region: { type: "string", enum: ["eu", "us"] }, signing_key: { type: "string", "x-secret": true } },
    },
  },
});

const connected = { accessToken: "tok_canary_123456", scopes: ["orders.read"], requiredScopes: ["orders.read"] };
let runtime: ConnectorTestRuntime | undefined;
afterEach(() => runtime?.restore());

function rt(options: Parameters<typeof connectorTestRuntime>[0] = {}) {
  runtime = connectorTestRuntime({ manifest, settings: { region: "eu" }, oauth: connected, ...options }).install();
  return runtime;
}

describe("no host bound", () => {
  it("every call says so clearly", () => {
    expect(() => OAuth.accessToken()).toThrow(/no Backfill host is bound/);
    expect(() => Http.get("https://api.example.com/x")).toThrow(/Http.get needs a Backfill host/);
    expect(() => Settings.get("region")).toThrow(/no Backfill host is bound/);
  });
});

describe("connectorTestRuntime", () => {
  it("applies the http allowlist and attaches auth.oauth only to the provider or a fixed host", async () => {
    const r = rt();
    r.http.on("GET", "https://api.example.com/*", { body: { ok: 1 } });
    const route = api(async () => {
      const ok = Http.get("https://api.example.com/v1/orders", { auth: { oauth: { minTtlSeconds: 60 } }, query: { page: 2 } });
      let denied = "";
      try {
        Http.get("https://other.example.com/x", { auth: { oauth: true } });
      } catch (error) {
        denied = (error as Error).message;
      }
      return api.json({ status: ok.status, denied });
    });
    const body = (await (await r.call(route)).json()) as { status: number; denied: string };
    expect(body.status).toBe(200);
    expect(body.denied).toContain("only to the provider's own host or a fixed host in permissions.http");
    expect(r.http.calls[0]?.url).toBe("https://api.example.com/v1/orders?page=2");
    expect(r.http.calls[0]?.opts.headers.Authorization).toBe("Bearer tok_canary_123456");
  });

  it("sends every verb with its body, query and timeout; parses JSON by content type", async () => {
    const r = rt();
    r.http
      .on("PUT", "https://api.example.com/*", { body: { verb: "put" } })
      .on("PATCH", /\/items\/\d+$/, (call) => ({ body: { verb: "patch", echo: call.body } }))
      .on("DELETE", "https://api.example.com/items/1", { status: 204 })
      .getOnce("https://api.example.com/text", { body: "plain text", headers: { "Content-Type": "text/plain" } })
      .getOnce("https://api.example.com/json-text", { body: '{"n":1}', headers: { "content-type": "application/problem+json" } });
    const route = api(async () =>
      api.json([
        Http.put("https://api.example.com/items/1", { a: 1 }, { timeoutMs: 1500 }).body,
        Http.patch("https://api.example.com/items/1", { b: 2 }).body,
        Http.delete("https://api.example.com/items/1", { query: { force: true, skip: undefined } }).status,
        Http.get("https://api.example.com/text").body,
        Http.get("https://api.example.com/json-text").body,
      ]),
    );
    expect(await (await r.call(route)).json()).toEqual([{ verb: "put" }, { verb: "patch", echo: { b: 2 } }, 204, "plain text", { n: 1 }]);
    expect(r.http.calls.map((c) => c.method)).toEqual(["PUT", "PATCH", "DELETE", "GET", "GET"]);
    expect(r.http.calls[0]?.opts.timeoutMs).toBe(1500);
    expect(r.http.calls[2]?.url).toBe("https://api.example.com/items/1?force=true");
  });

  it("attaches auth.oauth to the guide's fixed API host beside the authorization host", async () => {
    const guideShaped = defineConnector({
      key: "example",
      name: "Example",
      version: "0.1.0",
      permissions: { http: ["https://api.example.com/*"] },
      connection: {
        oauth: {
          type: "authorization_code",
          authorizationUrlTemplate: "https://provider.example.com/oauth/authorize",
          tokenUrlTemplate: "https://provider.example.com/oauth/token",
          scopes: ["orders.read"],
          client: { credentialKey: "provider_public_app" },
        },
      },
    });
    const r = rt({ manifest: guideShaped, settings: {} });
    r.http.getOnce({ body: { orders: [] } });
    // The guide, section 4, verbatim.
    const route = api(async () => {
      const response = Http.get("https://api.example.com/v1/orders", {
        auth: { oauth: { minTtlSeconds: 300 } },
      });
      return api.json(response.body);
    });
    expect((await r.call(route)).status).toBe(200);
    expect(r.http.calls[0]?.opts.headers.Authorization).toBe("Bearer tok_canary_123456");
  });

  it("gives the handler the request: method, path, query, lower-case headers, parsed and raw body", async () => {
    const r = rt();
    let seen: unknown;
    const route = api(async (request) => {
      seen = request;
      return api.noContent();
    });
    const rawBody = '{"id":1,"name":"caf\u00e9"}';
    await r.call(route, { method: "post", path: "/webhooks/orders", query: { shop: "a" }, headers: { "X-Hmac": "h", "Content-Type": "application/json" }, rawBody });
    expect(seen).toEqual({
      method: "POST",
      path: "/webhooks/orders",
      query: { shop: "a" },
      headers: { "x-hmac": "h", "content-type": "application/json" },
      body: { id: 1, name: "café" },
      rawBody,
      rawBodyBytes: new TextEncoder().encode(rawBody),
    });
    await r.call(route, { headers: { "content-type": "application/x-www-form-urlencoded" }, rawBody: "a=1&b=two" });
    expect(seen).toMatchObject({ body: { a: "1", b: "two" }, rawBody: "a=1&b=two" });
  });

  it("a route's uncaught error is a 500 with a correlation id, logged and answered redacted", async () => {
    const r = rt({ secrets: { signing_key: "sk_canary_999999" } });
    const response = await r.call(
      api(async () => {
        throw new Error(`signature check with ${Secrets.get("signing_key")} failed; Authorization: Bearer abcdef123456`);
      }),
    );
    expect(response.status).toBe(500);
    const correlationId = response.headers.get("x-correlation-id");
    const body = (await response.json()) as ErrorBody;
    expect(body.error).toEqual({ code: "internal_error", message: "signature check with [REDACTED] failed; Authorization: Bearer [REDACTED]", correlationId });
    expect(r.logs[0]?.fields).toMatchObject({ correlationId });
    expect(r.leaked("sk_canary_999999")).toBe(false);
    expect(r.leaked("abcdef123456")).toBe(false);
  });

  it("a route's uncaught BackfillError answers its code and its fix as fields, the fix redacted too", async () => {
    const r = rt({ secrets: { signing_key: "sk_canary_888888" } });
    const response = await r.call(
      api(async () => {
        throw new BackfillError("missing_client_credential", "no OAuth app credential example_app is set", undefined, {
          fix: `set the OAuth app credential example_app (not ${Secrets.get("signing_key")})`,
        });
      }),
    );
    expect(response.status).toBe(500);
    const body = (await response.json()) as ErrorBody;
    expect(body.error).toMatchObject({
      code: "missing_client_credential",
      message: "no OAuth app credential example_app is set",
      fix: "set the OAuth app credential example_app (not [REDACTED])",
    });
    expect(r.leaked("sk_canary_888888")).toBe(false);
  });

  it("reads seeded checkpoints and keeps the validation results of every batch", async () => {
    const r = rt({ checkpoints: { orders: { cursor: "c0" } } });
    const route = api(async () => {
      const from = Checkpoint.get<{ cursor: string }>("orders")?.cursor;
      const result = ingest.batch(
        "sales_receipt",
        [
          { receipt_id: "a", total: "1.00", currency: "USD" },
          { receipt_id: "b", total: "x", currency: "USD" },
        ],
        { stream: "orders", continueOnError: true },
      );
      Checkpoint.set("orders", { cursor: `${from}+1` }, { hasMore: false });
      return api.json(result);
    });
    await r.call(route);
    expect(r.checkpoint("orders")).toEqual({ cursor: "c0+1" });
    expect(r.hasMore("orders")).toBe(false);
    expect(r.batches).toHaveLength(1);
    expect(r.batches[0]).toMatchObject({ kind: "sales_receipt", stream: "orders", committed: true, result: { accepted: 1, rejected: 1 } });
    expect(r.batches[0]?.result.errors[0]).toMatchObject({ index: 1, path: "total" });
    expect(r.records("sales_receipt")).toEqual([{ receipt_id: "a", total: "1.00", currency: "USD" }]);
  });

  it("fails an unmatched request listing what was expected", async () => {
    const r = rt();
    r.http.postOnce("https://api.example.com/v1/a", { body: {} });
    const route = api(async () => api.json(Http.get("https://api.example.com/v1/b").body));
    const response = await r.call(route);
    expect(response.status).toBe(500);
    const body = (await response.json()) as ErrorBody;
    expect(body.error.message).toContain("unexpected GET https://api.example.com/v1/b; expected POST https://api.example.com/v1/a (once)");
    expect(body.error.correlationId).toMatch(/[0-9a-f-]{36}/);
  });

  it("answers queued responses in order", async () => {
    const r = rt();
    r.http.getOnce({ body: { n: 1 } }).getOnce({ body: { n: 2 } });
    const route = api(async () => api.json([Http.get("https://api.example.com/a").body, Http.get("https://api.example.com/a").body]));
    expect(await (await r.call(route)).json()).toEqual([{ n: 1 }, { n: 2 }]);
  });

  it("guards secrets and settings", async () => {
    const r = rt({ secrets: { signing_key: "sk_canary_999999" } });
    const route = api(async () => {
      const errors: string[] = [];
      try {
        Settings.get("signing_key");
      } catch (e) {
        errors.push((e as Error).message);
      }
      try {
        Secrets.get("undeclared");
      } catch (e) {
        errors.push((e as Error).message);
      }
      return api.json({ region: Settings.get("region"), hasKey: Secrets.get("signing_key") === "sk_canary_999999", errors });
    });
    const body = (await (await r.call(route)).json()) as { region: string; hasKey: boolean; errors: string[] };
    expect(body).toMatchObject({ region: "eu", hasKey: true });
    expect(body.errors[0]).toContain("read it with Secrets.get");
    expect(body.errors[1]).toContain("not declared readable");
  });

  it("rejects invalid settings with the setting's name", async () => {
    runtime = connectorTestRuntime({ manifest, settings: { region: "mars" }, oauth: connected }).install();
    await expect(runtime.call(api(async () => api.json({})))).rejects.toThrow(/invalid settings: region/);
  });

  it("commits records and checkpoints only when the route succeeds", async () => {
    const r = rt();
    const good = { receipt_id: "r1", total: "1.00", currency: "USD" };
    const page = (status: number) =>
      api(async () => {
        const result = ingest.batch("sales_receipt", [good], { stream: "orders" });
        Checkpoint.set("orders", { cursor: "c1" }, { hasMore: true, pauseSeconds: 2 });
        return status === 200 ? api.json(result) : api.retryAfter(3);
      });
    const throttled = await r.call(page(429));
    expect(retryAfterSeconds(throttled)).toBe(3);
    expect(r.records("sales_receipt")).toEqual([]);
    expect(r.checkpoint("orders")).toBeUndefined();
    await r.call(page(200));
    expect(r.records("sales_receipt")).toHaveLength(1);
    expect(r.checkpoint("orders")).toEqual({ cursor: "c1" });
    expect(r.hasMore("orders")).toBe(true);
    expect(r.pauseSeconds("orders")).toBe(2);
  });

  it("continueOnError keeps the valid payloads; without it one bad payload rejects the batch", async () => {
    const r = rt();
    const payloads = [
      { receipt_id: "a", total: "1.00", currency: "USD" },
      { receipt_id: "b", total: "1.0", currency: "USD" },
    ];
    const route = (continueOnError: boolean) => api(async () => api.json(ingest.batch("sales_receipt", payloads, { continueOnError })));
    expect(await (await r.call(route(true))).json()).toEqual({
      accepted: 1,
      rejected: 1,
      errors: [{ index: 1, path: "total", message: "must have exactly 2 decimal places for USD" }],
    });
    expect(await (await r.call(route(false))).json()).toMatchObject({ accepted: 0, rejected: 2 });
  });

  it("keys records by the canonical id by default, and names an unknown kind", async () => {
    const r = rt();
    const route = api(async () => api.json(ingest.batch("sales_receipt", [{ receipt_id: "r9", total: "1.00", currency: "USD" }])));
    await r.call(route);
    expect(r.storedRecords().map((s) => s.idempotencyKey)).toEqual(["sales_receipt:r9"]);
    const unknown = (await (await r.call(api(async () => api.json(ingest.batch("orders" as "customer", [{ id: 1 }]))))).json()) as ErrorBody;
    expect(unknown.error.message).toContain('unknown entity kind "orders"; known: customer, sales_receipt, refund_receipt');
  });

  it("refuses a Host header of the route's own, as the host does (domain fronting past permissions.http)", async () => {
    const r = rt();
    r.http.on("GET", "https://api.example.com/*", { body: { ok: 1 } });
    const route = api(async () => api.json(Http.get("https://api.example.com/v1/orders", { headers: { HOST: "internal.example.net" } }).body));
    const body = (await (await r.call(route)).json()) as ErrorBody;
    expect(body.error).toMatchObject({ code: "permission_denied", message: "Http: the Host header is the URL's; a route may not set it" });
    expect(r.http.calls).toEqual([]);
  });

  it("denies entities without a write grant", async () => {
    const r = rt();
    const body = (await (await r.call(api(async () => api.json(ingest.batch("customer", [{ customer_id: "c" }]))))).json()) as ErrorBody;
    expect(body.error.code).toBe("permission_denied");
    expect(body.error.message).toContain("permissions.entities.Customer");
  });

  it.each([
    ["missing token", { accessToken: null }, "missing_token"],
    ["missing scopes", { accessToken: "tok_canary_123456", scopes: [], requiredScopes: ["orders.read"] }, "missing_scopes"],
    [
      "expired, refresh fails",
      { accessToken: "tok_canary_123456", refreshToken: "rt_canary_123456", expiresAt: Date.now() - 1, refresh: { error: "invalid_grant" } },
      "refresh_failed",
    ],
    ["revoked", { accessToken: "tok_canary_123456", blockedReason: "revoked" as const }, "revoked"],
    ["expired, no refresh token", { accessToken: "tok_canary_123456", refreshToken: null, expiresAt: Date.now() - 1 }, "expired"],
  ])("reauth_required: %s → 401 with the reason, no token", async (_name, oauth, reason) => {
    const r = rt({ oauth });
    const response = await r.call(api(async () => api.json({ token: OAuth.accessToken() })));
    expect(response.status).toBe(401);
    expect(((await response.json()) as ErrorBody).error.details?.reason).toBe(reason);
    expect(r.leaked("tok_canary_123456")).toBe(false);
    expect(r.leaked("rt_canary_123456")).toBe(false);
  });

  it("refreshes an expiring token", async () => {
    const r = rt({
      oauth: { ...connected, expiresAt: Date.now() + 30_000, refreshToken: "rt1_abcdef", refresh: { accessToken: "tok_new_abcdef", expiresAt: Date.now() + 3_600_000 } },
    });
    const route = api(async () => api.json({ same: OAuth.accessToken({ minTtlSeconds: 600 }) === "tok_new_abcdef" }));
    expect(await (await r.call(route)).json()).toEqual({ same: true });
    expect(r.refreshCount).toBe(1);
  });

  it("redacts logs and error messages", async () => {
    const r = rt();
    const route = api(async () => {
      const token = OAuth.accessToken();
      log.info(`calling with ${token}`, { headers: { authorization: `Bearer ${token}` } });
      throw new Error(`provider said no to ${token}`);
    });
    const response = await r.call(route);
    expect(response.status).toBe(500);
    expect(r.leaked("tok_canary_123456")).toBe(false);
    expect(r.logs[0]?.message).toBe("calling with [REDACTED]");
  });
});

describe("auth.oauth header options", () => {
  it("attaches the bare token under a provider header when asked", async () => {
    const r = rt();
    r.http.getOnce({ body: {} });
    await r.call(api(async () => api.json(Http.get("https://api.example.com/x", { auth: { oauth: { header: "X-Shopify-Access-Token", scheme: null } } }).body)));
    expect(r.http.calls[0]?.opts.headers["X-Shopify-Access-Token"]).toBe("tok_canary_123456");
    expect(r.http.calls[0]?.opts.headers.Authorization).toBeUndefined();
  });
});

describe("RuntimeLeakCheck", () => {
  it("restores every tracked runtime and names a leaked canary", async () => {
    const check = new RuntimeLeakCheck(["tok_canary_123456", "never_shown_canary"]);
    const clean = check.track(rt());
    await clean.call(api(async () => api.json({ ok: true })));
    expect(() => check.finish()).not.toThrow();

    const leaky = check.track(rt());
    await leaky.call(api(async () => api.json({ token: OAuth.accessToken() })));
    expect(() => check.finish()).toThrow(/secrets leaked into logs or responses: canary #1 \(tok_…\)/);
    // Restored: no host bound any more.
    expect(() => OAuth.accessToken()).toThrow(/no Backfill host is bound/);
  });
});
