import { afterEach, describe, expect, it } from "vitest";
import { POST } from "../src/api/sync/refunds.js";
import { ACCESS_TOKEN, API, REFRESH_TOKEN, fixture, json, squareRuntime } from "./helpers.js";

let runtime: ReturnType<typeof squareRuntime>;
afterEach(() => {
  expect(runtime.leaked(ACCESS_TOKEN)).toBe(false);
  expect(runtime.leaked(REFRESH_TOKEN)).toBe(false);
  runtime.restore();
});

describe("sync/refunds", () => {
  it("ingests settled refunds linked to the refunded payment's order; pending ones wait", async () => {
    runtime = squareRuntime();
    runtime.http.getOnce(`${API}/v2/refunds*`, { body: fixture("refunds-list.json"), headers: { date: "Mon, 01 Jul 2024 12:00:00 GMT" } });
    runtime.http.getOnce(`${API}/v2/payments/bP9mAsEMYPUGjjGNaNO5ZDVyLhSZY`, { body: fixture("payment.json") });
    const body = await json(await runtime.call(POST));
    expect(body).toMatchObject({ accepted: 1, rejected: 0, notSettled: 1, hasMore: true });
    expect(runtime.records("refund_receipt")).toEqual([
      expect.objectContaining({ refund_id: "bP9mAsEMYPUGjjGNaNO5ZDVyLhSZY_69MmgHubkLqx9wGhnmenRUHOaKitE6llfZuxcWYjGxd", receipt_id: "CAISENgvlJ6jLWAzERDzjyHVybY", total: "5.55", currency: "USD" }),
    ]);
    expect(runtime.storedRecords()[0]!.idempotencyKey).toBe("square:refund:bP9mAsEMYPUGjjGNaNO5ZDVyLhSZY_69MmgHubkLqx9wGhnmenRUHOaKitE6llfZuxcWYjGxd");
    expect(Object.fromEntries(new URL(runtime.http.calls[0]!.url).searchParams)).toEqual({ limit: "100", sort_field: "UPDATED_AT", sort_order: "ASC" });
    expect(runtime.checkpoint("refunds")).toMatchObject({ passStartedAt: "2024-07-01T12:00:00.000Z", passHighWater: "2024-04-04T10:00:01.000Z" });
  });

  it("incremental: updated_at_begin_time from the high-water mark; INVALID_CURSOR restarts from the latest updated_at read", async () => {
    runtime = squareRuntime({
      checkpoints: { refunds: { highWater: "2024-04-01T00:00:00.000Z", passStartedAt: "2024-07-01T12:00:00.000Z", cursor: "old", cursorSince: "2024-04-01T00:00:00.000Z", passHighWater: "2024-04-03T20:00:03.497Z" } },
    });
    runtime.http.getOnce(`${API}/v2/refunds*`, { status: 400, body: fixture("error-invalid-cursor.json") });
    runtime.http.getOnce(`${API}/v2/refunds*`, { body: { refunds: [] } });
    const body = await json(await runtime.call(POST));
    expect(body).toMatchObject({ restartedAfter: "INVALID_CURSOR", hasMore: false });
    const [stale, restart] = runtime.http.calls.map((c) => new URL(c.url).searchParams);
    expect(stale!.get("cursor")).toBe("old");
    expect(stale!.get("updated_at_begin_time")).toBe("2024-03-31T23:59:00.000Z");
    expect(restart!.get("cursor")).toBeNull();
    expect(restart!.get("updated_at_begin_time")).toBe("2024-04-03T19:59:03.497Z");
    expect(runtime.checkpoint("refunds")).toEqual({ highWater: "2024-07-01T12:00:00.000Z" });
  });

  it("several refunds of one payment: one GetPayment per distinct payment of the page", async () => {
    runtime = squareRuntime();
    const [settled] = fixture("refunds-list.json").refunds;
    const refund = (id: string, paymentId: string) => ({ ...settled, id, payment_id: paymentId, order_id: `RETURN_ORDER_${id}` });
    runtime.http.getOnce(`${API}/v2/refunds*`, { body: { refunds: [refund("R1", "PAY_A"), refund("R2", "PAY_A"), refund("R3", "PAY_B"), refund("R4", "PAY_A")] } });
    runtime.http.getOnce(`${API}/v2/payments/PAY_A`, { body: { payment: { id: "PAY_A", order_id: "ORDER_A" } } });
    runtime.http.getOnce(`${API}/v2/payments/PAY_B`, { body: { payment: { id: "PAY_B", order_id: "ORDER_B" } } });
    const body = await json(await runtime.call(POST));
    expect(body).toMatchObject({ accepted: 4, rejected: 0 });
    const paymentCalls = runtime.http.calls.filter((c) => c.url.includes("/v2/payments/"));
    expect(paymentCalls.map((c) => new URL(c.url).pathname)).toEqual(["/v2/payments/PAY_A", "/v2/payments/PAY_B"]);
    expect(Object.fromEntries(runtime.records("refund_receipt").map((r) => [r.refund_id, r.receipt_id]))).toEqual({ R1: "ORDER_A", R2: "ORDER_A", R3: "ORDER_B", R4: "ORDER_A" });
  });

  it("PaymentRefund.order_id (Square's return order) is not the receipt: the refunded payment's order is", async () => {
    runtime = squareRuntime();
    const [settled] = fixture("refunds-list.json").refunds;
    expect(settled.order_id).toBe("9ltv0bx5PuvGXUYHYHxYSKEqC3IZY");
    runtime.http.getOnce(`${API}/v2/refunds*`, { body: { refunds: [settled] } });
    runtime.http.getOnce(`${API}/v2/payments/bP9mAsEMYPUGjjGNaNO5ZDVyLhSZY`, { body: fixture("payment.json") });
    await runtime.call(POST);
    expect(runtime.records("refund_receipt")[0]).toMatchObject({ receipt_id: "CAISENgvlJ6jLWAzERDzjyHVybY" });
  });

  it("a refund whose payment Square no longer finds is skipped and reported", async () => {
    runtime = squareRuntime();
    const page = fixture("refunds-list.json");
    runtime.http.getOnce(`${API}/v2/refunds*`, { body: { refunds: [page.refunds[0]] } });
    runtime.http.getOnce(`${API}/v2/payments/*`, { status: 404, body: { errors: [{ category: "INVALID_REQUEST_ERROR", code: "NOT_FOUND", detail: "Payment not found" }] } });
    const body = await json(await runtime.call(POST));
    expect(body).toMatchObject({ accepted: 0, skipped: [{ id: page.refunds[0].id }] });
  });

  it("rate limited → retry signal", async () => {
    runtime = squareRuntime();
    runtime.http.getOnce(`${API}/v2/refunds*`, { status: 429, body: fixture("error-rate-limited.json") });
    expect((await runtime.call(POST)).status).toBe(429);
  });

  it("missing token → 401 reauth_required", async () => {
    runtime = squareRuntime({ oauth: { accessToken: null } });
    expect((await runtime.call(POST)).status).toBe(401);
  });
});
