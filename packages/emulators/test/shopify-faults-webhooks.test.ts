import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { createHmac } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { shopifyOrderWebhookPayload, shopifyShopRedactPayload, type RunningShopifyEmulator } from "../src/shopify/index.js";
import { CLIENT_ID, CLIENT_SECRET, REDIRECT_URI, graphql, shopFetch, start } from "./shopify-helpers.js";

async function statuses(emulator: RunningShopifyEmulator, token: string, n: number): Promise<Array<string>> {
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    const response = await fetch(`${emulator.url}/admin/api/2026-10/graphql.json`, {
      method: "POST",
      headers: { "X-Forwarded-Host": "acme.myshopify.com", "Content-Type": "application/json", "X-Shopify-Access-Token": token },
      body: JSON.stringify({ query: "{ shop { id } }" }),
      // Well above a normal answer under a loaded CI machine, far below the 60 s hang.
      signal: AbortSignal.timeout(1_500),
    }).catch(() => undefined);
    if (!response) {
      out.push("timeout");
      continue;
    }
    const text = await response.text();
    let kind = String(response.status);
    if (response.status === 429) kind += `:retry-after=${response.headers.get("retry-after")}`;
    try {
      JSON.parse(text);
    } catch {
      kind += ":malformed";
    }
    out.push(kind);
  }
  return out;
}

describe("Shopify fault injection", () => {
  it("injects the same faults for the same seed, and different ones for another", async () => {
    const faults = { rateLimited: 0.2, serverError: 0.15, timeout: 0.1, malformedJson: 0.1, hangMs: 60_000 };
    const runs: string[][] = [];
    const served: string[][] = [];
    for (const seed of [7, 7, 8]) {
      const emulator = await start({ seed, customers: 1, orders: 1, faults });
      try {
        runs.push(await statuses(emulator, emulator.state.issueOfflineToken("acme", CLIENT_ID), 30));
        served.push(emulator.state.faults.served.map((f) => f.kind));
      } finally {
        await emulator.close();
      }
    }
    const [a, b, c] = runs;
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
    const kinds = new Set(a?.map((s) => s.split(":")[0]));
    for (const kind of ["200", "429", "timeout"]) expect(kinds).toContain(kind);
    expect(a?.some((s) => /^50[023]$/.test(s))).toBe(true);
    expect(a?.some((s) => s === "200:malformed")).toBe(true);
    expect(a?.find((s) => s.startsWith("429"))).toBe("429:retry-after=2.0");
    // The served log names exactly the faults the client met, in order.
    const kindSeen = (s: string) => (s.startsWith("429") ? "rate_limited" : s === "timeout" ? "timeout" : s.endsWith(":malformed") ? "malformed_json" : "server_error");
    expect(served[0]).toEqual(a?.filter((s) => s !== "200").map(kindSeen));
  }, 60_000);

  it("can switch faults off at runtime", async () => {
    const emulator = await start({ customers: 1, orders: 1, faults: { serverError: 1 } });
    try {
      const token = emulator.state.issueOfflineToken("acme", CLIENT_ID);
      expect((await statuses(emulator, token, 1))[0]).toMatch(/^50/);
      emulator.state.setFaults({});
      expect(await statuses(emulator, token, 2)).toEqual(["200", "200"]);
    } finally {
      await emulator.close();
    }
  });
});

/** An expiring offline token pair through the real authorize and access_token endpoints. */
async function expiringTokens(emulator: RunningShopifyEmulator): Promise<{ access: string; refresh: string }> {
  const params = new URLSearchParams({ client_id: CLIENT_ID, scope: "read_orders", redirect_uri: REDIRECT_URI, state: "s" });
  const callback = new URL((await shopFetch(emulator, "acme", `/admin/oauth/authorize?${params.toString()}`)).headers.get("location") ?? "");
  const body = await tokenRequest(emulator, { code: callback.searchParams.get("code") ?? "", expiring: "1" });
  return { access: body.body.access_token as string, refresh: body.body.refresh_token as string };
}

async function tokenRequest(emulator: RunningShopifyEmulator, params: Record<string, string>): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await shopFetch(emulator, "acme", "/admin/oauth/access_token", {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ client_id: CLIENT_ID, client_secret: CLIENT_SECRET, ...params }),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

describe("Shopify token revocation fault", () => {
  /** Statuses of `n` GraphQL calls with one token until revocation, and the served log. */
  async function run(seed: number) {
    const emulator = await start({ seed, customers: 1, orders: 1, autoApprove: true, faults: { revoked: 0.15 } });
    try {
      const { access, refresh } = await expiringTokens(emulator);
      const calls: Array<{ status: number; body: unknown }> = [];
      for (let i = 0; i < 20; i++) calls.push(await graphql(emulator, "acme", access, "{ shop { id } }"));
      const explicit = emulator.state.issueOfflineToken("beta", CLIENT_ID);
      emulator.state.revokeToken(explicit);
      const explicitAnswer = await graphql(emulator, "beta", explicit, "{ shop { id } }");
      emulator.state.setFaults({});
      const refreshed = await tokenRequest(emulator, { grant_type: "refresh_token", refresh_token: refresh });
      return { calls, served: emulator.state.faults.served, explicitAnswer, refreshed };
    } finally {
      await emulator.close();
    }
  }

  it("revokes the request's token at the same request for the same seed; that and every later call get Shopify's 401", async () => {
    const a = await run(5);
    const b = await run(5);
    const firstRevoked = a.calls.findIndex((c) => c.status === 401);
    expect(firstRevoked).toBeGreaterThanOrEqual(0);
    expect(b.calls.map((c) => c.status)).toEqual(a.calls.map((c) => c.status));
    // Before: served; from the revoking request on: 401, exactly as for an explicit revokeToken.
    expect(a.calls.slice(0, firstRevoked).every((c) => c.status === 200)).toBe(true);
    for (const call of a.calls.slice(firstRevoked)) expect(call).toEqual(a.explicitAnswer);
    expect(a.explicitAnswer).toEqual({ status: 401, body: { errors: "[API] Invalid API key or access token (unrecognized login or wrong password)" } });
    // Counted once: later draws find no live token to revoke.
    expect(a.served).toEqual([{ kind: "revoked", endpoint: "graphql" }]);
    // An uninstall ends the grant: the refresh token is dead too (Shopify's invalid_grant).
    expect(a.refreshed).toMatchObject({ status: 400, body: { error: "invalid_grant" } });
  }, 30_000);

  it("does not revoke without a live token, and another seed revokes at another request", async () => {
    const emulator = await start({ seed: 5, customers: 1, orders: 1, faults: { revoked: 1 } });
    try {
      expect((await graphql(emulator, "acme", "shpat_unknown", "{ shop { id } }")).status).toBe(401);
      expect(emulator.state.faults.served).toEqual([]);
    } finally {
      await emulator.close();
    }
    const indexOf = (r: Awaited<ReturnType<typeof run>>) => r.calls.findIndex((c) => c.status === 401);
    const seeds = await Promise.all([5, 6, 9, 12].map(async (seed) => indexOf(await run(seed))));
    expect(new Set(seeds).size).toBeGreaterThan(1);
  }, 30_000);
});

describe("Shopify webhooks", () => {
  let emulator: RunningShopifyEmulator;
  let receiver: Server;
  let receiverUrl: string;
  const received: Array<{ headers: IncomingHttpHeaders; body: string }> = [];

  beforeAll(async () => {
    emulator = await start({ customers: 5, orders: 5 });
    receiver = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (chunk: Buffer) => chunks.push(chunk));
      req.on("end", () => {
        received.push({ headers: req.headers, body: Buffer.concat(chunks).toString("utf8") });
        res.writeHead(200).end("ok");
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
    receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/webhooks/shopify`;
  });
  afterAll(async () => {
    await emulator.close();
    await new Promise<void>((resolve) => receiver.close(() => resolve()));
  });

  it("signs the raw body with the app secret and sends Shopify's headers", async () => {
    const shop = emulator.state.shop("acme");
    const order = shop.orders[0];
    if (!order) throw new Error("fixture");
    const topics = ["orders/updated", "refunds/create", "customers/update", "app/uninstalled", "customers/data_request", "customers/redact", "shop/redact"];
    for (const topic of topics) {
      const payload = topic === "orders/updated" ? shopifyOrderWebhookPayload(shop, order) : shopifyShopRedactPayload(shop);
      const delivery = await emulator.state.deliverWebhook("acme", topic, payload, receiverUrl);
      expect(delivery.status).toBe(200);
    }
    expect(received).toHaveLength(topics.length);
    for (const [i, { headers, body }] of received.entries()) {
      const expected = createHmac("sha256", CLIENT_SECRET).update(body).digest("base64");
      expect(headers["x-shopify-hmac-sha256"]).toBe(expected);
      expect(headers["x-shopify-topic"]).toBe(topics[i]);
      expect(headers["x-shopify-shop-domain"]).toBe("acme.myshopify.com");
      expect(headers["x-shopify-api-version"]).toBe("2026-10");
      expect(headers["x-shopify-webhook-id"]).toMatch(/^[0-9a-f-]{36}$/);
      expect(body).not.toContain(CLIENT_SECRET);
    }
    const orderBody = JSON.parse(received[0]?.body ?? "{}") as { id: number; admin_graphql_api_id: string };
    expect(orderBody.admin_graphql_api_id).toBe(`gid://shopify/Order/${order.id}`);
  });
});

describe("Shopify deletions", () => {
  it("a deleted order and a deleted customer are gone from GraphQL, and their topics carry only the id", async () => {
    const emulator = await start({ customers: 6, orders: 6 });
    try {
      const shop = emulator.state.shop("acme");
      const token = emulator.state.issueOfflineToken("acme", CLIENT_ID);
      const order = shop.orders[0]!;
      const deletedOrder = emulator.state.deleteRecord("acme", "order", order.id);
      expect(deletedOrder).toEqual({ topic: "orders/delete", payload: { id: order.id } });
      const read = await graphql(emulator, "acme", token, "query($id: ID!) { order(id: $id) { id } }", { id: `gid://shopify/Order/${order.id}` });
      expect(read.body.data).toEqual({ order: null });

      const withOrders = shop.orders[0]!.customerId;
      if (withOrders !== null) expect(() => emulator.state.deleteRecord("acme", "customer", withOrders)).toThrow(/has orders/);
      const lonely = shop.customers.find((c) => !shop.orders.some((o) => o.customerId === c.id))!;
      const deletedCustomer = emulator.state.deleteRecord("acme", "customer", lonely.id);
      expect(deletedCustomer.topic).toBe("customers/delete");
      expect(deletedCustomer.payload).toMatchObject({ id: lonely.id, admin_graphql_api_id: `gid://shopify/Customer/${lonely.id}` });
      expect(JSON.stringify(deletedCustomer.payload)).not.toContain(lonely.email ?? "@");
      expect(shop.customers.some((c) => c.id === lonely.id)).toBe(false);
    } finally {
      await emulator.close();
    }
  });
});
