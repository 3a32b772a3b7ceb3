import { createHmac } from "node:crypto";
import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";
import { describe, expect, it } from "vitest";
import { createSquareApp, SquareEmulatorState, verifySquareWebhook } from "../src/square/index.js";
import { APP, getJson, postJson, start, USD_MERCHANT } from "./square-helpers.js";

describe("Square emulator faults", () => {
  it("answers 429 RATE_LIMITED with Retry-After past the requests-per-second budget", async () => {
    const now = Date.parse("2026-03-01T00:00:00Z");
    const emulator = await start({ rateLimit: { requestsPerSecond: 3 }, now: () => now });
    try {
      const token = emulator.state.issueAccessToken(USD_MERCHANT).access_token;
      const statuses: number[] = [];
      let limited: Awaited<ReturnType<typeof getJson>> | undefined;
      for (let index = 0; index < 4; index += 1) {
        const response = await getJson(`${emulator.url}/v2/locations`, token);
        statuses.push(response.status);
        if (response.status === 429) limited = response;
      }
      expect(statuses).toEqual([200, 200, 200, 429]);
      expect(limited!.headers.get("retry-after")).toBe("1");
      expect(limited!.body.errors[0]).toMatchObject({ category: "RATE_LIMIT_ERROR", code: "RATE_LIMITED" });
      emulator.state.advanceClock(1000);
      expect((await getJson(`${emulator.url}/v2/locations`, token)).status).toBe(200);
    } finally {
      await emulator.close();
    }
  });

  it("injects 5xx, malformed JSON, 429 and timeouts on demand", async () => {
    const emulator = await start();
    try {
      const token = emulator.state.issueAccessToken(USD_MERCHANT).access_token;
      const url = `${emulator.url}/v2/merchants/me`;
      emulator.state.faults.inject("server_error");
      emulator.state.faults.inject("malformed_json");
      emulator.state.faults.inject("rate_limited");
      const serverError = await getJson(url, token);
      expect(serverError.status).toBe(500);
      expect(serverError.body.errors[0]!.category).toBe("API_ERROR");
      const malformed = await getJson(url, token);
      expect(malformed.status).toBe(200);
      expect(() => JSON.parse(malformed.text) as unknown).toThrow();
      expect((await getJson(url, token)).status).toBe(429);
      expect((await getJson(url, token)).status).toBe(200);

      emulator.state.faults.inject("timeout");
      const hung = fetch(url, { headers: { authorization: `Bearer ${token}` }, signal: AbortSignal.timeout(200) });
      await expect(hung).rejects.toThrow();
      expect(emulator.state.faults.served.map((fault) => fault.kind)).toEqual(["server_error", "malformed_json", "rate_limited", "timeout"]);
    } finally {
      await emulator.close();
    }
  });

  it("random fault schedules are deterministic for a seed", async () => {
    const statusesFor = async (seed: number) => {
      const state = new SquareEmulatorState({ seed, faults: { rates: { serverError: 0.3, rateLimited: 0.2 } } });
      const app = createSquareApp(state);
      const token = state.issueAccessToken(USD_MERCHANT).access_token;
      const statuses: number[] = [];
      for (let index = 0; index < 30; index += 1) {
        statuses.push((await app.request("/v2/locations", { headers: { authorization: `Bearer ${token}` } })).status);
      }
      return statuses;
    };
    const first = await statusesFor(7);
    expect(await statusesFor(7)).toEqual(first);
    expect(first).toEqual(expect.arrayContaining([200, 429, 500]));
    expect(await statusesFor(8)).not.toEqual(first);
  });
});

describe("Square token revocation fault", () => {
  const run = async (seed: number) => {
    const emulator = await start({ seed, faults: { rates: { revoked: 0.15 } } });
    try {
      const tokens = emulator.state.issueAccessToken(USD_MERCHANT);
      const other = emulator.state.issueAccessToken(USD_MERCHANT);
      const calls: Array<{ status: number; body: unknown }> = [];
      for (let index = 0; index < 20; index += 1) {
        const response = await getJson(`${emulator.url}/v2/locations`, tokens.access_token);
        calls.push({ status: response.status, body: response.body });
      }
      emulator.state.faults.setRates({});
      const sibling = await getJson(`${emulator.url}/v2/locations`, other.access_token);
      const explicit = emulator.state.issueAccessToken(USD_MERCHANT, { clientId: APP.clientId });
      emulator.state.revokeToken({ accessToken: explicit.access_token });
      const explicitAnswer = await getJson(`${emulator.url}/v2/locations`, explicit.access_token);
      const refreshed = await postJson(`${emulator.url}/oauth2/token`, {
        client_id: APP.clientId,
        client_secret: APP.clientSecret,
        grant_type: "refresh_token",
        refresh_token: tokens.refresh_token,
      });
      return {
        calls,
        served: emulator.state.faults.served,
        sibling: sibling.status,
        explicitAnswer: { status: explicitAnswer.status, body: explicitAnswer.body as unknown },
        refreshed,
      };
    } finally {
      await emulator.close();
    }
  };

  it("revokes the request's token at the same request for the same seed; that and every later call get ACCESS_TOKEN_REVOKED", async () => {
    const a = await run(5);
    const b = await run(5);
    const firstRevoked = a.calls.findIndex((call) => call.status === 401);
    expect(firstRevoked).toBeGreaterThanOrEqual(0);
    expect(b.calls.map((call) => call.status)).toEqual(a.calls.map((call) => call.status));
    expect(a.calls.slice(0, firstRevoked).every((call) => call.status === 200)).toBe(true);
    // The same 401 as the explicit revokeToken path.
    for (const call of a.calls.slice(firstRevoked)) expect(call).toEqual(a.explicitAnswer);
    expect(a.explicitAnswer).toEqual({
      status: 401,
      body: { errors: [{ category: "AUTHENTICATION_ERROR", code: "ACCESS_TOKEN_REVOKED", detail: "This request could not be authorized." }] },
    });
    expect(a.served).toEqual([{ kind: "revoked", path: "/v2/locations" }]);
    // As revokeToken (and Square's /oauth2/revoke): every token of the app and merchant dies,
    // the refresh token included.
    expect(a.sibling).toBe(401);
    expect(a.refreshed.status).toBe(401);
  });

  it("does not revoke without a live token, and queued revocations work like the other faults", async () => {
    const emulator = await start({ faults: { rates: { revoked: 1 } } });
    try {
      expect((await getJson(`${emulator.url}/v2/locations`, "EAAAnot-a-token")).status).toBe(401);
      expect(emulator.state.faults.served).toEqual([]);
      emulator.state.faults.setRates({});
      const token = emulator.state.issueAccessToken(USD_MERCHANT).access_token;
      expect((await getJson(`${emulator.url}/v2/locations`, token)).status).toBe(200);
      emulator.state.faults.inject("revoked");
      expect((await getJson(`${emulator.url}/v2/locations`, token)).body.errors[0]!.code).toBe("ACCESS_TOKEN_REVOKED");
      expect(emulator.state.faults.served.map((fault) => fault.kind)).toEqual(["revoked"]);
    } finally {
      await emulator.close();
    }
    const indexOf = (r: Awaited<ReturnType<typeof run>>) => r.calls.findIndex((call) => call.status === 401);
    // A fault at a known point: after exactly n more requests, however few a client needs.
    const scheduled = await start();
    try {
      const token = scheduled.state.issueAccessToken(USD_MERCHANT).access_token;
      scheduled.state.faults.injectAfter("revoked", 2);
      const statuses: number[] = [];
      for (let i = 0; i < 4; i++) statuses.push((await getJson(`${scheduled.url}/v2/locations`, token)).status);
      expect(statuses).toEqual([200, 200, 401, 401]);
    } finally {
      await scheduled.close();
    }
    const seeds = await Promise.all([5, 6, 9, 12].map(async (seed) => indexOf(await run(seed))));
    expect(new Set(seeds).size).toBeGreaterThan(1);
  });
});

describe("Square emulator webhooks", () => {
  it("POSTs the event with x-square-hmacsha256-signature over notification URL + raw body", async () => {
    const received: Array<{ headers: IncomingHttpHeaders; body: string }> = [];
    const receiver = createServer((request, response) => {
      let body = "";
      request.on("data", (chunk: Buffer) => (body += chunk.toString()));
      request.on("end", () => {
        received.push({ headers: request.headers, body });
        response.writeHead(200).end("ok");
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
    const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks/square`;
    const notificationUrl = "https://connector.example.com/hooks/square";
    const signatureKey = "whsec-CANARY-key";
    try {
      const state = new SquareEmulatorState({ seed: 3 });
      const payment = state.snapshot(USD_MERCHANT).payments[0]!;
      const event = state.webhookEvent(USD_MERCHANT, "payment.updated", payment.id);
      expect(event).toMatchObject({ merchant_id: USD_MERCHANT, type: "payment.updated", data: { type: "payment", id: payment.id, object: { payment } } });
      expect(event.event_id).toMatch(/^[0-9a-f-]{36}$/);

      const delivery = await state.deliverWebhook(url, notificationUrl, signatureKey, event);
      expect(delivery.status).toBe(200);
      const [request] = received;
      expect(JSON.parse(request!.body)).toEqual(event);
      const expected = createHmac("sha256", signatureKey)
        .update(notificationUrl + request!.body)
        .digest("base64");
      expect(request!.headers["x-square-hmacsha256-signature"]).toBe(expected);
      expect(verifySquareWebhook(signatureKey, notificationUrl, request!.body, expected)).toBe(true);
      expect(verifySquareWebhook(signatureKey, url, request!.body, expected)).toBe(false);

      const order = state.snapshot(USD_MERCHANT).orders[0]!;
      expect(state.webhookEvent(USD_MERCHANT, "order.updated", order.id).data.object).toEqual({
        order_updated: {
          order_id: order.id,
          version: order.version,
          location_id: order.location_id,
          state: order.state,
          created_at: order.created_at,
          updated_at: order.updated_at,
        },
      });
      expect(state.webhookEvent(USD_MERCHANT, "oauth.authorization.revoked").data.type).toBe("revocation");
    } finally {
      await new Promise((resolve) => receiver.close(resolve));
    }
  });
});

describe("Square emulator data", () => {
  it("is deterministic for a seed and different across seeds", () => {
    const a = new SquareEmulatorState({ seed: 11 });
    const b = new SquareEmulatorState({ seed: 11 });
    const c = new SquareEmulatorState({ seed: 12 });
    for (const merchantId of a.merchants.keys()) expect(a.snapshot(merchantId)).toEqual(b.snapshot(merchantId));
    expect(c.snapshot(USD_MERCHANT)).not.toEqual(a.snapshot(USD_MERCHANT));

    // Mutations are deterministic too, given the same clock.
    const fixed = { seed: 11, now: () => Date.parse("2026-01-01T00:00:00Z") };
    const x = new SquareEmulatorState(fixed);
    const y = new SquareEmulatorState(fixed);
    expect(x.advance()).toEqual(y.advance());
    expect(x.snapshot(USD_MERCHANT)).toEqual(y.snapshot(USD_MERCHANT));
  });

  it("seeds custom merchants with requested counts", () => {
    const state = new SquareEmulatorState({
      seed: 5,
      merchants: [{ id: "MKWD", businessName: "Fils Shop", currency: "KWD", locations: 3, customers: 4, orders: 9 }],
    });
    const data = state.snapshot("MKWD");
    expect(data.locations).toHaveLength(3);
    // Customers deleted or merged away are no longer in the directory; return orders are extra orders.
    expect(data.customers).toHaveLength(4 - data.deletedCustomers.length);
    expect(data.orders.filter((order) => !order.returns)).toHaveLength(9);
    expect(new Set(data.orders.map((order) => order.location_id)).size).toBe(3);
  });
});
