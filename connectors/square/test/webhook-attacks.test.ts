// webhooks/square under attack: replays of processed events (same event_id), an older
// version of a record delivered after a newer one, and bodies whose bytes are not plain
// UTF-8 (a BOM, Latin-1) signed over their exact bytes.
import { describe, expect, it } from "vitest";
import { POST } from "../src/api/webhooks/square.js";
import { WEBHOOK_BODY_NOT_JSON, WEBHOOK_EVENT_ID_MISSING } from "../src/lib/webhook-event.js";
import { createHmac } from "node:crypto";
import { ACCESS_TOKEN, API, REFRESH_TOKEN, SIGNATURE_KEY, expectNoLeaksAfterEach, fixture, fixtureText, json, squareRuntime } from "./helpers.js";
import type { CustomerUpdatedEventFixture, OrdersFixture } from "./fixture-shapes.js";

const NOTIFICATION_URL = "https://hooks.backfill.example/square/conn_123";
const MERCHANT_ID = "MLQW2SSZ0C3GK";

let runtime: ReturnType<typeof squareRuntime>;
expectNoLeaksAfterEach([ACCESS_TOKEN, REFRESH_TOKEN, SIGNATURE_KEY]);

const webhookRuntime = () => squareRuntime({ secrets: { webhook_signature_key: SIGNATURE_KEY }, connection: { providerAccountId: MERCHANT_ID } });

const signBytes = (bytes: Uint8Array, key = SIGNATURE_KEY) => createHmac("sha256", key).update(NOTIFICATION_URL).update(bytes).digest("base64");

function delivery(bytes: Uint8Array, signature = signBytes(bytes)) {
  return {
    method: "POST",
    rawBodyBytes: bytes,
    headers: { "content-type": "application/json", "x-square-hmacsha256-signature": signature, "x-backfill-notification-url": NOTIFICATION_URL },
  };
}

const utf8 = (text: string) => new TextEncoder().encode(text);
const eventBytes = (event: unknown) => utf8(JSON.stringify(event));

/** customer.updated for the fixture's customer, with its own event id, update time and family name. */
function customerUpdated(eventId: string, updatedAt: string, familyName: string) {
  const event = fixture<CustomerUpdatedEventFixture>("webhook-customer-updated.json");
  event.event_id = eventId;
  event.data.object.customer.updated_at = updatedAt;
  event.data.object.customer.family_name = familyName;
  return event;
}

describe("webhooks/square: replays", () => {
  it("the same event delivered twice: the second answers 200 and does nothing", async () => {
    runtime = webhookRuntime();
    const bytes = utf8(fixtureText("webhook-order-updated.json"));
    runtime.http.getOnce(`${API}/v2/orders/CAISENgvlJ6jLWAzERDzjyHVybY`, { body: { order: fixture<OrdersFixture>("orders-search-usd.json").orders[0] } });
    expect(await json(await runtime.call(POST, delivery(bytes)))).toMatchObject({ accepted: 1 });
    const replay = await runtime.call(POST, delivery(bytes));
    expect(replay.status).toBe(200);
    expect(await json(replay)).toMatchObject({ received: true, duplicate: true, eventId: "4b8e5c91-9f17-4cf1-900a-4a0629f81add" });
    expect(runtime.http.calls).toHaveLength(1);
    expect(runtime.batches).toHaveLength(1);
  });

  it("oauth.authorization.revoked replayed after a reconnect does not revoke again", async () => {
    runtime = webhookRuntime();
    const bytes = utf8(fixtureText("webhook-oauth-revoked.json"));
    await runtime.call(POST, delivery(bytes));
    runtime.oauthState!.blockedReason = undefined; // the seller reconnected
    expect(await json(await runtime.call(POST, delivery(bytes)))).toMatchObject({ duplicate: true });
    expect(runtime.statusChanges).toHaveLength(1);
  });

  it("an event whose processing fails is not marked: Square's retry is processed", async () => {
    runtime = webhookRuntime();
    const bytes = utf8(fixtureText("webhook-order-updated.json"));
    runtime.http.getOnce(`${API}/v2/orders/CAISENgvlJ6jLWAzERDzjyHVybY`, { status: 500, body: { errors: [{ category: "API_ERROR", code: "INTERNAL_SERVER_ERROR" }] } });
    expect((await runtime.call(POST, delivery(bytes))).ok).toBe(false);
    expect(runtime.processedDeliveries()).toEqual([]);
    runtime.http.getOnce(`${API}/v2/orders/CAISENgvlJ6jLWAzERDzjyHVybY`, { body: { order: fixture<OrdersFixture>("orders-search-usd.json").orders[0] } });
    expect(await json(await runtime.call(POST, delivery(bytes)))).toMatchObject({ accepted: 1 });
    expect(runtime.processedDeliveries()).toEqual(["square:event:4b8e5c91-9f17-4cf1-900a-4a0629f81add"]);
  });

  it("a forged notification carrying a genuine event id does not burn it", async () => {
    runtime = webhookRuntime();
    const bytes = utf8(fixtureText("webhook-customer-updated.json"));
    expect((await runtime.call(POST, delivery(bytes, signBytes(bytes, "attacker-key")))).status).toBe(401);
    expect(runtime.processedDeliveries()).toEqual([]);
    expect(await json(await runtime.call(POST, delivery(bytes)))).toMatchObject({ accepted: 1 });
  });

  it("a signed event without event_id, or a body that is not a JSON object: 400, nothing done", async () => {
    runtime = webhookRuntime();
    const noId = fixture<CustomerUpdatedEventFixture>("webhook-customer-updated.json");
    delete noId.event_id;
    const refused = await runtime.call(POST, delivery(eventBytes(noId)));
    expect(refused.status).toBe(400);
    expect(await json(refused)).toMatchObject({ error: { code: WEBHOOK_EVENT_ID_MISSING } });
    expect(await json(await runtime.call(POST, delivery(utf8("[1,2]"))))).toMatchObject({ error: { code: WEBHOOK_BODY_NOT_JSON } });
    expect(runtime.batches).toHaveLength(0);
  });
});

describe("webhooks/square: versions", () => {
  it("customer v1, v2, then v1 again (new event ids, out of order): v2 stays stored", async () => {
    runtime = webhookRuntime();
    await runtime.call(POST, delivery(eventBytes(customerUpdated("e-1", "2024-03-05T16:40:11Z", "v1"))));
    await runtime.call(POST, delivery(eventBytes(customerUpdated("e-2", "2024-03-05T16:41:11Z", "v2"))));
    const late = await runtime.call(POST, delivery(eventBytes(customerUpdated("e-3", "2024-03-05T16:40:11Z", "v1"))));
    expect(late.status).toBe(200);
    expect(runtime.records("customer")).toEqual([expect.objectContaining({ family_name: "v2" })]);
    expect(runtime.batches.map((b) => b.decisions)).toEqual([["insert"], ["update"], ["stale"]]);
  });
});

describe("webhooks/square: signatures over the raw bytes", () => {
  it("a correctly signed body with a UTF-8 BOM is accepted", async () => {
    runtime = webhookRuntime();
    const bytes = new Uint8Array([0xef, 0xbb, 0xbf, ...utf8(fixtureText("webhook-customer-updated.json"))]);
    const response = await runtime.call(POST, delivery(bytes));
    expect(response.status).toBe(200);
    expect(await json(response)).toMatchObject({ accepted: 1 });
  });

  it("a correctly signed body with Latin-1 (invalid UTF-8) bytes is accepted; one byte changed is not", async () => {
    runtime = webhookRuntime();
    const event = fixture<CustomerUpdatedEventFixture>("webhook-customer-updated.json");
    event.data.object.customer.note = "Zo\u00eb";
    const bytes = Buffer.from(JSON.stringify(event), "latin1");
    expect((await runtime.call(POST, delivery(bytes))).status).toBe(200);
    const tampered = Uint8Array.from(bytes);
    tampered[tampered.indexOf(0xeb)] = 0xec;
    expect((await runtime.call(POST, delivery(tampered, signBytes(bytes)))).status).toBe(401);
  });
});
