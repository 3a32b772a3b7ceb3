import { afterEach, describe, expect, it } from "vitest";
import { api, Checkpoint, defineConnector, Http, ingest, log, OAuth, Secrets, Settings, retryAfterSeconds, type ErrorBody } from "../src/index.js";
import { connectorTestRuntime, type ConnectorTestRuntime } from "../src/testing/index.js";

const manifest = defineConnector({
  key: "example",
  name: "Example",
  version: "0.1.0",
  permissions: {
    http: ["https://api.example.com/*", "https://other.example.com/*"],
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
  it("applies the http allowlist and attaches auth.oauth only to the provider host", async () => {
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
    expect(body.denied).toContain("only to the provider's own host");
    expect(r.http.calls[0]?.url).toBe("https://api.example.com/v1/orders?page=2");
    expect(r.http.calls[0]?.opts.headers.Authorization).toBe("Bearer tok_canary_123456");
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
    const payloads = [{ receipt_id: "a", total: "1.00", currency: "USD" }, { receipt_id: "b", total: "1.0", currency: "USD" }];
    const route = (continueOnError: boolean) => api(async () => api.json(ingest.batch("sales_receipt", payloads, { continueOnError })));
    expect(await (await r.call(route(true))).json()).toEqual({ accepted: 1, rejected: 1, errors: [{ index: 1, path: "total", message: "must have exactly 2 decimal places for USD" }] });
    expect(await (await r.call(route(false))).json()).toMatchObject({ accepted: 0, rejected: 2 });
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
    ["expired, refresh fails", { accessToken: "tok_canary_123456", refreshToken: "rt_canary_123456", expiresAt: Date.now() - 1, refresh: { error: "invalid_grant" } }, "refresh_failed"],
    ["revoked", { accessToken: "tok_canary_123456", blockedReason: "revoked" as const }, "revoked"],
  ])("reauth_required: %s → 401 with the reason, no token", async (_name, oauth, reason) => {
    const r = rt({ oauth });
    const response = await r.call(api(async () => api.json({ token: OAuth.accessToken() })));
    expect(response.status).toBe(401);
    expect(((await response.json()) as ErrorBody).error.details?.reason).toBe(reason);
    expect(r.leaked("tok_canary_123456")).toBe(false);
    expect(r.leaked("rt_canary_123456")).toBe(false);
  });

  it("refreshes an expiring token", async () => {
    const r = rt({ oauth: { ...connected, expiresAt: Date.now() + 30_000, refreshToken: "rt1_abcdef", refresh: { accessToken: "tok_new_abcdef", expiresAt: Date.now() + 3_600_000 } } });
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
