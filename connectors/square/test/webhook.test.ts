import { describe, expect, it } from "vitest";
import { POST } from "../src/api/webhooks/square.js";
import { ACCESS_TOKEN, API, REFRESH_TOKEN, SIGNATURE_KEY, fixture, fixtureText, json, sign, squareRuntime, expectNoLeaksAfterEach } from "./helpers.js";
import type { EventFixture, OrdersFixture, PaymentFixture } from "./fixture-shapes.js";

const NOTIFICATION_URL = "https://hooks.backfill.example/square/conn_123";

let runtime: ReturnType<typeof squareRuntime>;
expectNoLeaksAfterEach([ACCESS_TOKEN, REFRESH_TOKEN, SIGNATURE_KEY]);

const MERCHANT_ID = "MLQW2SSZ0C3GK";
const webhookRuntime = (opts: Parameters<typeof squareRuntime>[0] = {}) =>
  squareRuntime({ secrets: { webhook_signature_key: SIGNATURE_KEY }, connection: { providerAccountId: MERCHANT_ID }, ...opts });

function delivery(rawBody: string, signature: string | undefined, url: string | undefined = NOTIFICATION_URL) {
  return {
    method: "POST",
    rawBody,
    headers: {
      "content-type": "application/json",
      ...(signature !== undefined ? { "x-square-hmacsha256-signature": signature } : {}),
      ...(url ? { "x-backfill-notification-url": url } : {}),
    },
  };
}

describe("webhooks/square: signature", () => {
  it("a good signature over notification URL + raw body is accepted", async () => {
    runtime = webhookRuntime();
    const raw = fixtureText("webhook-customer-updated.json");
    const response = await runtime.call(POST, delivery(raw, sign(SIGNATURE_KEY, NOTIFICATION_URL, raw)));
    expect(response.status).toBe(200);
    expect(await json(response)).toMatchObject({ received: true, type: "customer.updated", accepted: 1 });
    expect(runtime.records("customer")[0]).toMatchObject({ customer_id: "JDKYHBWT1D4F8MFH63DBMEN8Y4", family_name: "Earhart-Putnam" });
  });

  it("bad signatures → 401, nothing ingested, no HTTP", async () => {
    runtime = webhookRuntime();
    const raw = fixtureText("webhook-customer-updated.json");
    const cases = [
      sign("another-key", NOTIFICATION_URL, raw),
      sign(SIGNATURE_KEY, "https://attacker.example/hook", raw),
      sign(SIGNATURE_KEY, NOTIFICATION_URL, raw + " "),
      "not base64 at all",
      "",
    ];
    for (const signature of cases) {
      const response = await runtime.call(POST, delivery(raw, signature));
      expect(response.status).toBe(401);
    }
    // The body is signed as received: re-serialized JSON no longer matches.
    const reserialized = JSON.stringify(JSON.parse(raw), null, 2);
    expect((await runtime.call(POST, delivery(reserialized, sign(SIGNATURE_KEY, NOTIFICATION_URL, raw)))).status).toBe(401);
    expect(runtime.batches).toHaveLength(0);
    expect(runtime.http.calls).toHaveLength(0);
  });

  it("missing signature header → 401", async () => {
    runtime = webhookRuntime();
    const response = await runtime.call(POST, delivery(fixtureText("webhook-customer-updated.json"), undefined));
    expect(response.status).toBe(401);
    expect(runtime.batches).toHaveLength(0);
  });

  it("no signature key configured → 401, nothing ingested", async () => {
    runtime = squareRuntime();
    const raw = fixtureText("webhook-customer-updated.json");
    const response = await runtime.call(POST, delivery(raw, sign(SIGNATURE_KEY, NOTIFICATION_URL, raw)));
    expect(response.status).toBe(401);
    expect(runtime.batches).toHaveLength(0);
  });

  it("without the host header, the webhook_notification_url setting is the signed URL", async () => {
    runtime = webhookRuntime({ settings: { webhook_notification_url: NOTIFICATION_URL } });
    const raw = fixtureText("webhook-customer-updated.json");
    const response = await runtime.call(POST, delivery(raw, sign(SIGNATURE_KEY, NOTIFICATION_URL, raw), undefined));
    expect(response.status).toBe(200);
  });
});

describe("webhooks/square: events", () => {
  const signed = (name: string) => {
    const raw = fixtureText(name);
    return delivery(raw, sign(SIGNATURE_KEY, NOTIFICATION_URL, raw));
  };

  it("order.updated fetches the order and ingests it as a sales receipt", async () => {
    runtime = webhookRuntime();
    runtime.http.getOnce(`${API}/v2/orders/CAISENgvlJ6jLWAzERDzjyHVybY`, { body: { order: fixture<OrdersFixture>("orders-search-usd.json").orders[0] } });
    const response = await runtime.call(POST, signed("webhook-order-updated.json"));
    expect(await json(response)).toMatchObject({ accepted: 1 });
    expect(runtime.records("sales_receipt")[0]).toMatchObject({ receipt_id: "CAISENgvlJ6jLWAzERDzjyHVybY", total: "16.78" });
    expect(runtime.http.calls[0]!.opts.headers.Authorization).toBe(`Bearer ${ACCESS_TOKEN}`);
  });

  it("payment.updated ingests the payment's order", async () => {
    runtime = webhookRuntime();
    const raw = JSON.stringify({
      merchant_id: "MLQW2SSZ0C3GK",
      type: "payment.updated",
      event_id: "p-1",
      data: { type: "payment", id: "bP9m", object: { payment: fixture<PaymentFixture>("payment.json").payment } },
    });
    runtime.http.getOnce(`${API}/v2/orders/CAISENgvlJ6jLWAzERDzjyHVybY`, { body: { order: fixture<OrdersFixture>("orders-search-usd.json").orders[0] } });
    const response = await runtime.call(POST, delivery(raw, sign(SIGNATURE_KEY, NOTIFICATION_URL, raw)));
    expect(await json(response)).toMatchObject({ accepted: 1 });
  });

  it("refund.updated (COMPLETED) ingests a refund receipt linked to the sale its return order names", async () => {
    runtime = webhookRuntime();
    const [returnOrder] = fixture<OrdersFixture>("orders-batch-retrieve-return.json").orders;
    runtime.http.getOnce(`${API}/v2/orders/9ltv0bx5PuvGXUYHYHxYSKEqC3IZY`, { body: { order: returnOrder } });
    const response = await runtime.call(POST, signed("webhook-refund-updated.json"));
    expect(await json(response)).toMatchObject({ accepted: 1 });
    expect(runtime.records("refund_receipt")[0]).toMatchObject({ receipt_id: "CAISENgvlJ6jLWAzERDzjyHVybY", total: "5.55" });
  });

  it("order.created for a refund's return order stores no sales receipt (no phantom sale per refund)", async () => {
    runtime = webhookRuntime();
    const returnOrder = fixture<OrdersFixture>("orders-batch-retrieve-return.json").orders[0]!;
    const raw = JSON.stringify({
      merchant_id: MERCHANT_ID,
      type: "order.created",
      event_id: "oc-1",
      created_at: "2024-04-03T19:59:06Z",
      data: { type: "order_created", id: returnOrder.id, object: { order_created: { order_id: returnOrder.id, state: "COMPLETED", version: 1 } } },
    });
    runtime.http.getOnce(`${API}/v2/orders/${returnOrder.id}`, { body: { order: returnOrder } });
    const response = await runtime.call(POST, delivery(raw, sign(SIGNATURE_KEY, NOTIFICATION_URL, raw)));
    expect(await json(response)).toMatchObject({ accepted: 0, ignored: "return order" });
    expect(runtime.records("sales_receipt")).toEqual([]);
  });

  it("refund.created for an unlinked refund stores it with no sale, without a lookup", async () => {
    runtime = webhookRuntime();
    const refund = {
      id: "UNLINKED9",
      status: "COMPLETED",
      unlinked: true,
      destination_type: "CARD",
      amount_money: { amount: 700, currency: "USD" },
      location_id: "L1",
      reason: "Returned without receipt",
      created_at: "2024-04-05T00:00:00Z",
      updated_at: "2024-04-05T00:00:00Z",
    };
    const raw = JSON.stringify({ merchant_id: MERCHANT_ID, type: "refund.created", event_id: "rc-1", data: { type: "refund", id: refund.id, object: { refund } } });
    const response = await runtime.call(POST, delivery(raw, sign(SIGNATURE_KEY, NOTIFICATION_URL, raw)));
    expect(await json(response)).toMatchObject({ accepted: 1 });
    expect(runtime.records("refund_receipt")).toEqual([expect.objectContaining({ refund_id: "UNLINKED9", receipt_id: null, reason: "Returned without receipt" })]);
    expect(runtime.http.calls).toEqual([]);
  });

  describe("customer.deleted", () => {
    const deletedEvent = (id: string, merge?: { to: string }) =>
      JSON.stringify({
        merchant_id: MERCHANT_ID,
        type: "customer.deleted",
        event_id: `cd-${id}`,
        created_at: "2024-05-01T00:00:00Z",
        data: {
          type: "customer",
          id,
          object: { customer: { id, version: 3 }, ...(merge ? { event_context: { merge: { from_customer_ids: [id], to_customer_id: merge.to } } } : {}) },
        },
      });
    const customerEvent = (id: string) =>
      JSON.stringify({
        merchant_id: MERCHANT_ID,
        type: "customer.updated",
        event_id: `cu-${id}`,
        data: { type: "customer", id, object: { customer: { id, given_name: "Ada", updated_at: "2024-04-01T00:00:00Z" } } },
      });

    for (const merged of [false, true]) {
      it(`${merged ? "a profile merged away" : "a deleted profile"} becomes a tombstone with the deletion time`, async () => {
        runtime = webhookRuntime();
        const stored = customerEvent("CUST1");
        await runtime.call(POST, delivery(stored, sign(SIGNATURE_KEY, NOTIFICATION_URL, stored)));
        expect(runtime.records("customer").map((c) => c.customer_id)).toEqual(["CUST1"]);
        const raw = deletedEvent("CUST1", merged ? { to: "CUST2" } : undefined);
        const response = await runtime.call(POST, delivery(raw, sign(SIGNATURE_KEY, NOTIFICATION_URL, raw)));
        expect(await json(response)).toMatchObject({ deleted: 1, ...(merged ? { mergedInto: "CUST2" } : {}) });
        expect(runtime.records("customer")).toEqual([]);
        const tombstone = runtime.storedRecords().find((r) => r.idempotencyKey === "square:customer:CUST1")!;
        expect(tombstone).toMatchObject({ deletedAt: Date.parse("2024-05-01T00:00:00Z") });
        expect(runtime.http.calls).toEqual([]);
      });
    }
  });

  it("oauth.authorization.revoked marks the connection revoked; later token use needs reauth", async () => {
    runtime = webhookRuntime();
    const response = await runtime.call(POST, signed("webhook-oauth-revoked.json"));
    expect(await json(response)).toMatchObject({ revoked: true });
    expect(runtime.statusChanges).toEqual([{ status: "revoked", reason: "Square oauth.authorization.revoked (revoker: MERCHANT)" }]);
    const after = await runtime.call(POST, signed("webhook-order-updated.json"));
    expect(after.status).toBe(202);
    expect(await json(after)).toMatchObject({ deferred: "reauth_required" });
  });

  it("unknown events are acknowledged and ignored", async () => {
    runtime = webhookRuntime();
    const raw = JSON.stringify({ merchant_id: MERCHANT_ID, type: "inventory.count.updated", event_id: "x" });
    const response = await runtime.call(POST, delivery(raw, sign(SIGNATURE_KEY, NOTIFICATION_URL, raw)));
    expect(await json(response)).toMatchObject({ ignored: "event type not handled" });
  });

  describe("merchant check", () => {
    const forMerchant = (name: string, merchantId: string | undefined) => {
      const event = fixture<EventFixture>(name);
      if (merchantId === undefined) delete event.merchant_id;
      else event.merchant_id = merchantId;
      const raw = JSON.stringify(event);
      return delivery(raw, sign(SIGNATURE_KEY, NOTIFICATION_URL, raw));
    };

    it("an event for another merchant → 200, nothing read or ingested, a warning logged", async () => {
      runtime = webhookRuntime();
      for (const name of ["webhook-customer-updated.json", "webhook-order-updated.json", "webhook-refund-updated.json"]) {
        const response = await runtime.call(POST, forMerchant(name, "OTHERMERCHANT1"));
        expect(response.status).toBe(200);
        expect(await json(response)).toMatchObject({ received: true, ignored: "event is for another Square merchant" });
      }
      expect(runtime.batches).toHaveLength(0);
      expect(runtime.http.calls).toHaveLength(0);
      expect(runtime.logs.filter((l) => l.level === "warn" && l.message.includes("not this connection's merchant"))).toHaveLength(3);
      expect(runtime.logs.find((l) => l.level === "warn")?.fields).toMatchObject({ merchantId: "OTHERMERCHANT1" });
    });

    it("another merchant's oauth.authorization.revoked does not revoke this connection", async () => {
      runtime = webhookRuntime();
      const response = await runtime.call(POST, forMerchant("webhook-oauth-revoked.json", "OTHERMERCHANT1"));
      expect(await json(response)).toMatchObject({ ignored: "event is for another Square merchant" });
      expect(runtime.statusChanges).toEqual([]);
    });

    it("an event without merchant_id is ignored", async () => {
      runtime = webhookRuntime();
      const response = await runtime.call(POST, forMerchant("webhook-customer-updated.json", undefined));
      expect(await json(response)).toMatchObject({ ignored: "event is for another Square merchant" });
      expect(runtime.batches).toHaveLength(0);
    });

    it("a connection whose merchant is not known yet ingests nothing", async () => {
      runtime = webhookRuntime({ connection: {} });
      const response = await runtime.call(POST, signed("webhook-customer-updated.json"));
      expect(response.status).toBe(200);
      expect(await json(response)).toMatchObject({ ignored: "connection has no Square merchant yet" });
      expect(runtime.batches).toHaveLength(0);
    });

    it("the signature is checked before the merchant: a forged event for this merchant → 401", async () => {
      runtime = webhookRuntime();
      const raw = fixtureText("webhook-customer-updated.json");
      expect((await runtime.call(POST, delivery(raw, sign("another-key", NOTIFICATION_URL, raw)))).status).toBe(401);
    });
  });
});
