import { createHmac } from "node:crypto";
import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";
import { describe, expect, it } from "vitest";
import { createSquareApp, SquareEmulatorState, verifySquareWebhook } from "../src/square/index.js";
import { getJson, start, USD_MERCHANT } from "./square-helpers.js";

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
      expect(limited!.body.errors[0]).toMatchObject({ category: "RATE_LIMITED", code: "RATE_LIMITED" });
      emulator.state.advanceClock(1000);
      expect((await getJson(`${emulator.url}/v2/locations`, token)).status).toBe(200);
    } finally {
      await emulator.close();
    }
  });

  it("injects 5xx, malformed JSON, 429 and hangs on demand", async () => {
    const emulator = await start();
    try {
      const token = emulator.state.issueAccessToken(USD_MERCHANT).access_token;
      const url = `${emulator.url}/v2/merchants/me`;
      emulator.state.faults.inject("server_error");
      emulator.state.faults.inject("malformed_json");
      emulator.state.faults.inject("rate_limited");
      const serverError = await getJson(url, token);
      expect(serverError.status).toBe(500);
      expect(serverError.body.errors[0].category).toBe("API_ERROR");
      const malformed = await getJson(url, token);
      expect(malformed.status).toBe(200);
      expect(() => JSON.parse(malformed.text) as unknown).toThrow();
      expect((await getJson(url, token)).status).toBe(429);
      expect((await getJson(url, token)).status).toBe(200);

      emulator.state.faults.inject("hang");
      const hung = fetch(url, { headers: { authorization: `Bearer ${token}` }, signal: AbortSignal.timeout(200) });
      await expect(hung).rejects.toThrow();
      expect(emulator.state.faults.served.map((fault) => fault.kind)).toEqual(["server_error", "malformed_json", "rate_limited", "hang"]);
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
      const expected = createHmac("sha256", signatureKey).update(notificationUrl + request!.body).digest("base64");
      expect(request!.headers["x-square-hmacsha256-signature"]).toBe(expected);
      expect(verifySquareWebhook(signatureKey, notificationUrl, request!.body, expected)).toBe(true);
      expect(verifySquareWebhook(signatureKey, url, request!.body, expected)).toBe(false);

      const order = state.snapshot(USD_MERCHANT).orders[0]!;
      expect(state.webhookEvent(USD_MERCHANT, "order.updated", order.id).data.object).toEqual({
        order_updated: { order_id: order.id, version: order.version, location_id: order.location_id, state: order.state, created_at: order.created_at, updated_at: order.updated_at },
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
    expect(data.customers).toHaveLength(4);
    expect(data.orders).toHaveLength(9);
    expect(new Set(data.orders.map((order) => order.location_id)).size).toBe(3);
  });
});
