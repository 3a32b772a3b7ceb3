import { request } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { OFFLINE_ACCESS_TOKEN_TYPE, TOKEN_EXCHANGE_GRANT_TYPE, verifyShopifyQueryHmac, type RunningShopifyEmulator } from "../src/shopify/index.js";
import { CLIENT_ID, CLIENT_SECRET, REDIRECT_URI, graphql, shopFetch, start } from "./shopify-helpers.js";

let emulator: RunningShopifyEmulator;
let now = Date.parse("2026-11-01T00:00:00Z");

beforeAll(async () => {
  emulator = await start({ autoApprove: true, clock: () => now, customers: 3, orders: 3 });
});
afterAll(async () => {
  await emulator.close();
});

function authorizePath(extra: Record<string, string> = {}): string {
  const params = new URLSearchParams({
    client_id: CLIENT_ID,
    scope: "read_orders,read_customers",
    redirect_uri: REDIRECT_URI,
    state: "nonce-123",
    ...extra,
  });
  return `/admin/oauth/authorize?${params.toString()}`;
}

async function authorize(shop = "acme"): Promise<URL> {
  const response = await shopFetch(emulator, shop, authorizePath());
  expect(response.status).toBe(302);
  return new URL(response.headers.get("location") ?? "");
}

async function token(shop: string, body: Record<string, string>, asJson = false): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await shopFetch(emulator, shop, "/admin/oauth/access_token", {
    method: "POST",
    headers: { "Content-Type": asJson ? "application/json" : "application/x-www-form-urlencoded" },
    body: asJson ? JSON.stringify(body) : new URLSearchParams(body).toString(),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

const client = { client_id: CLIENT_ID, client_secret: CLIENT_SECRET };

describe("Shopify OAuth", () => {
  it("redirects back with a verifiable hmac, shop, state, timestamp and host", async () => {
    const callback = await authorize();
    const params = Object.fromEntries(callback.searchParams);
    expect(`${callback.origin}${callback.pathname}`).toBe(REDIRECT_URI);
    expect(params.shop).toBe("acme.myshopify.com");
    expect(params.state).toBe("nonce-123");
    expect(params.timestamp).toBe(String(Math.floor(now / 1000)));
    expect(Buffer.from(params.host ?? "", "base64").toString()).toBe("admin.shopify.com/store/acme");
    expect(verifyShopifyQueryHmac(params, CLIENT_SECRET)).toBe(true);
    expect(verifyShopifyQueryHmac({ ...params, shop: "evil.myshopify.com" }, CLIENT_SECRET)).toBe(false);
  });

  it("serves a consent page with approve and deny forms when not auto-approving", async () => {
    const manual = await start({ customers: 1, orders: 1 });
    try {
      const page = await shopFetch(manual, "acme", authorizePath());
      expect(page.status).toBe(200);
      const html = await page.text();
      expect(html).toContain('action="/admin/oauth/authorize/approve?shop=acme.myshopify.com"');
      expect(html).toContain('action="/admin/oauth/authorize/deny?shop=acme.myshopify.com"');
      const form = new URLSearchParams({ client_id: CLIENT_ID, scope: "read_orders", redirect_uri: REDIRECT_URI, state: "s1" });
      const denied = await shopFetch(manual, "acme", "/admin/oauth/authorize/deny", { method: "POST", body: form });
      const deniedUrl = new URL(denied.headers.get("location") ?? "");
      expect(deniedUrl.searchParams.get("error")).toBe("access_denied");
      expect(deniedUrl.searchParams.get("state")).toBe("s1");
      const approved = await shopFetch(manual, "acme", "/admin/oauth/authorize/approve", { method: "POST", body: form });
      const approvedParams = Object.fromEntries(new URL(approved.headers.get("location") ?? "").searchParams);
      expect(verifyShopifyQueryHmac(approvedParams, CLIENT_SECRET)).toBe(true);
    } finally {
      await manual.close();
    }
  });

  it("rejects unknown apps and redirect_uri mismatches with a 400 page, and unknown shops with 404", async () => {
    expect((await shopFetch(emulator, "acme", authorizePath({ client_id: "nope" }))).status).toBe(400);
    const mismatch = await shopFetch(emulator, "acme", authorizePath({ redirect_uri: "https://evil.test/cb" }));
    expect(mismatch.status).toBe(400);
    expect(mismatch.headers.get("location")).toBeNull();
    expect((await shopFetch(emulator, "nosuchshop", authorizePath())).status).toBe(404);
  });

  it("falls back to a shop parameter when the browser reaches the emulator directly", async () => {
    const direct = await fetch(`${emulator.url}${authorizePath({ shop: "beta.myshopify.com" })}`, { redirect: "manual" });
    expect(direct.status).toBe(302);
    expect(new URL(direct.headers.get("location") ?? "").searchParams.get("shop")).toBe("beta.myshopify.com");
    expect((await fetch(`${emulator.url}${authorizePath()}`, { redirect: "manual" })).status).toBe(404);
  });

  it("resolves the shop from the Host header too", async () => {
    const status = await new Promise<number>((resolve, reject) => {
      const req = request({ host: "127.0.0.1", port: emulator.port, path: authorizePath(), headers: { Host: `beta.myshopify.com:${emulator.port}` } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on("error", reject);
      req.end();
    });
    expect(status).toBe(302);
  });

  it("exchanges a code once, non-expiring by default", async () => {
    const code = (await authorize()).searchParams.get("code") ?? "";
    const first = await token("acme", { ...client, code });
    expect(first.status).toBe(200);
    expect(first.body).toEqual({ access_token: expect.stringMatching(/^shpat_/), scope: "read_orders,read_customers" });
    const again = await token("acme", { ...client, code });
    expect(again.status).toBe(400);
    expect(again.body.error).toBe("invalid_request");
    const { status, body } = await graphql(emulator, "acme", first.body.access_token as string, "{ shop { id name myshopifyDomain } }");
    expect(status).toBe(200);
    expect(body.data).toEqual({ shop: { id: expect.stringMatching(/^gid:\/\/shopify\/Shop\//), name: "Acme", myshopifyDomain: "acme.myshopify.com" } });
  });

  it("binds codes to the client secret, the shop and 60 seconds", async () => {
    const wrongSecret = await token("acme", { client_id: CLIENT_ID, client_secret: "wrong", code: (await authorize()).searchParams.get("code") ?? "" });
    expect(wrongSecret.status).toBe(401);
    expect(wrongSecret.body.error).toBe("invalid_client");
    expect(JSON.stringify(wrongSecret.body)).not.toContain(CLIENT_SECRET);

    const otherShop = await token("beta", { ...client, code: (await authorize("acme")).searchParams.get("code") ?? "" });
    expect(otherShop.status).toBe(400);

    const code = (await authorize()).searchParams.get("code") ?? "";
    now += 61_000;
    expect((await token("acme", { ...client, code })).status).toBe(400);
  });

  it("rotates refresh tokens and rejects a spent one once its replacement is used", async () => {
    const code = (await authorize()).searchParams.get("code") ?? "";
    const issued = await token("acme", { ...client, code, expiring: "1" }, true);
    expect(issued.status).toBe(200);
    expect(issued.body).toMatchObject({
      access_token: expect.stringMatching(/^shpat_/),
      refresh_token: expect.stringMatching(/^shprt_/),
      expires_in: 3600,
      refresh_token_expires_in: 7776000,
      scope: "read_orders,read_customers",
    });
    const refresh = issued.body.refresh_token as string;
    const rotated = await token("acme", { ...client, grant_type: "refresh_token", refresh_token: refresh });
    expect(rotated.status).toBe(200);
    expect(rotated.body.refresh_token).not.toBe(refresh);

    // Expiring access tokens stop working after an hour.
    const access = rotated.body.access_token as string;
    expect((await graphql(emulator, "acme", access, "{ shop { id } }")).status).toBe(200);
    now += 3_600_000;
    const expired = await graphql(emulator, "acme", access, "{ shop { id } }");
    expect(expired.status).toBe(401);
    const next = await token("acme", { ...client, grant_type: "refresh_token", refresh_token: rotated.body.refresh_token as string });
    expect(next.status).toBe(200);
    const reused = await token("acme", { ...client, grant_type: "refresh_token", refresh_token: refresh });
    expect(reused.status).toBe(400);
    expect(reused.body.error).toBe("invalid_grant");
  });

  it("migrates a non-expiring token with token exchange and revokes the old one; a replay gets the same pair", async () => {
    const code = (await authorize()).searchParams.get("code") ?? "";
    const legacy = (await token("acme", { ...client, code })).body.access_token as string;
    const exchanged = await token(
      "acme",
      {
        ...client,
        grant_type: TOKEN_EXCHANGE_GRANT_TYPE,
        subject_token: legacy,
        subject_token_type: OFFLINE_ACCESS_TOKEN_TYPE,
        requested_token_type: OFFLINE_ACCESS_TOKEN_TYPE,
        expiring: "1",
      },
      true,
    );
    expect(exchanged.status).toBe(200);
    expect(exchanged.body).toMatchObject({ expires_in: 3600, refresh_token: expect.stringMatching(/^shprt_/) });
    expect((await graphql(emulator, "acme", legacy, "{ shop { id } }")).status).toBe(401);
    expect((await graphql(emulator, "acme", exchanged.body.access_token as string, "{ shop { id } }")).status).toBe(200);
    const replay = await token("acme", {
      ...client,
      grant_type: TOKEN_EXCHANGE_GRANT_TYPE,
      subject_token: legacy,
      subject_token_type: OFFLINE_ACCESS_TOKEN_TYPE,
      expiring: "1",
    });
    expect(replay.status).toBe(200);
    expect(replay.body).toMatchObject({ access_token: exchanged.body.access_token, refresh_token: exchanged.body.refresh_token });
  });

  it("answers 401 with Shopify's message for missing, unknown, revoked and other-shop tokens", async () => {
    const good = emulator.state.issueOfflineToken("acme", CLIENT_ID);
    const message = "[API] Invalid API key or access token (unrecognized login or wrong password)";
    for (const bad of ["", "shpat_unknown", good]) {
      if (bad === good) {
        expect((await graphql(emulator, "beta", good, "{ shop { id } }")).body).toEqual({ errors: message });
        emulator.state.revokeToken(good);
      }
      const { status, body } = await graphql(emulator, "acme", bad, "{ shop { id } }");
      expect(status).toBe(401);
      expect(body).toEqual({ errors: message });
    }
  });

  it("serves a retired API version with the oldest supported one, and no unreleased one", async () => {
    const tokenValue = emulator.state.issueOfflineToken("acme", CLIENT_ID);
    const response = await shopFetch(emulator, "acme", "/admin/api/2019-01/graphql.json", {
      method: "POST",
      headers: { "Content-Type": "application/json", "X-Shopify-Access-Token": tokenValue },
      body: JSON.stringify({ query: "{ shop { id } }" }),
    });
    expect(response.status).toBe(200);
    expect(response.headers.get("x-shopify-api-version")).toBe("2026-10");
    const unreleased = await shopFetch(emulator, "acme", "/admin/api/2027-01/graphql.json", {
      method: "POST",
      headers: { "Content-Type": "application/json", "X-Shopify-Access-Token": tokenValue },
      body: JSON.stringify({ query: "{ shop { id } }" }),
    });
    expect(unreleased.status).toBe(404);
  });
});
