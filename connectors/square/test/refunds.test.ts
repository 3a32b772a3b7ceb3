import { describe, expect, it } from "vitest";
import { POST } from "../src/api/sync/refunds.js";
import { REFUNDS_HISTORY_START, type RefundsCheckpoint } from "../src/api/sync/refunds.js";
import type { MockResponse, RecordedCall } from "@backfill-io/sdk/testing";
import { API, fixture, json, squareRuntime, expectNoLeaksAfterEach } from "./helpers.js";
import type { RefundsFixture } from "./fixture-shapes.js";
import type { SquarePaymentRefund } from "../src/lib/square-types.js";

let runtime: ReturnType<typeof squareRuntime>;
expectNoLeaksAfterEach();

const BATCH_URL = `${API}/v2/orders/batch-retrieve`;
const [template] = fixture<RefundsFixture>("refunds-list.json").refunds;
/** Refund R<i> with return order RET<i> (sale ORD<i>), updated at second i. */
const refundPage = (n: number, from = 0): SquarePaymentRefund[] =>
  Array.from({ length: n }, (_, k) => {
    const i = from + k;
    return { ...template, id: `R${i}`, payment_id: `PAY${i}`, order_id: `RET${i}`, updated_at: new Date(Date.UTC(2024, 3, 1, 0, 0, i)).toISOString() };
  });
const returnOrder = (id: string, sale: string | undefined) => ({
  id,
  location_id: "L1",
  returns: [{ uid: `u-${id}`, ...(sale ? { source_order_id: sale } : {}) }],
  state: "COMPLETED",
});
const rateLimited: MockResponse = { status: 429, body: fixture("error-rate-limited.json"), headers: { "retry-after": "3" } };
const serverError: MockResponse = { status: 500, body: { errors: [{ category: "API_ERROR", code: "INTERNAL_SERVER_ERROR" }] } };
const batchIds = (call: RecordedCall) => (call.body as { order_ids: string[] }).order_ids;
/** Answers BatchRetrieveOrders with return orders naming ORD<i>; `fail()` returns a failure instead. */
const batches = (fail: (ids: string[]) => MockResponse | undefined = () => undefined) =>
  runtime.http.on("POST", BATCH_URL, (call) => fail(batchIds(call)) ?? { body: { orders: batchIds(call).map((id) => returnOrder(id, id.replace("RET", "ORD"))) } });
const batchCalls = () => runtime.http.calls.filter((c) => c.url === BATCH_URL).map(batchIds);
const listCalls = () => runtime.http.calls.filter((c) => c.url.includes("/v2/refunds")).map((c) => Object.fromEntries(new URL(c.url).searchParams));
const receipts = () => Object.fromEntries(runtime.records("refund_receipt").map((r): [string, unknown] => [r.refund_id as string, r.receipt_id]));

describe("sync/refunds", () => {
  it("links a refund to the sale its return order names (PaymentRefund.order_id is the return order, never the receipt); pending ones wait", async () => {
    runtime = squareRuntime();
    runtime.http.getOnce(`${API}/v2/refunds*`, { body: fixture("refunds-list.json"), headers: { date: "Mon, 01 Jul 2024 12:00:00 GMT" } });
    runtime.http.postOnce(BATCH_URL, { body: fixture("orders-batch-retrieve-return.json") });
    const body = await json(await runtime.call(POST));
    expect(body).toMatchObject({ accepted: 1, rejected: 0, notSettled: 1, hasMore: true });
    expect(runtime.records("refund_receipt")).toEqual([
      expect.objectContaining({
        refund_id: "bP9mAsEMYPUGjjGNaNO5ZDVyLhSZY_69MmgHubkLqx9wGhnmenRUHOaKitE6llfZuxcWYjGxd",
        receipt_id: "CAISENgvlJ6jLWAzERDzjyHVybY",
        total: "5.55",
        currency: "USD",
      }),
    ]);
    expect(runtime.records("refund_receipt")[0]!.receipt_id).not.toBe("9ltv0bx5PuvGXUYHYHxYSKEqC3IZY");
    expect(batchCalls()).toEqual([["9ltv0bx5PuvGXUYHYHxYSKEqC3IZY"]]);
    expect(runtime.http.calls.some((c) => c.url.includes("/v2/payments/"))).toBe(false);
    expect(runtime.storedRecords()[0]!.idempotencyKey).toBe("square:refund:bP9mAsEMYPUGjjGNaNO5ZDVyLhSZY_69MmgHubkLqx9wGhnmenRUHOaKitE6llfZuxcWYjGxd");
    // begin_time explicit: Square's default (a year ago) would silently drop older refunds.
    expect(Object.fromEntries(new URL(runtime.http.calls[0]!.url).searchParams)).toEqual({
      begin_time: REFUNDS_HISTORY_START,
      limit: "100",
      sort_field: "UPDATED_AT",
      sort_order: "ASC",
    });
    expect(runtime.checkpoint("refunds")).toMatchObject({ passStartedAt: "2024-07-01T12:00:00.000Z", passHighWater: "2024-04-04T10:00:01.000Z" });
  });

  it("a page of 100 refunds costs two requests: the list and one BatchRetrieveOrders", async () => {
    runtime = squareRuntime();
    runtime.http.getOnce(`${API}/v2/refunds*`, { body: { refunds: refundPage(100) } });
    batches();
    expect(await json(await runtime.call(POST))).toMatchObject({ accepted: 100, hasMore: false });
    expect(runtime.http.calls).toHaveLength(2);
    expect(batchCalls()[0]).toHaveLength(100);
    expect(receipts().R42).toBe("ORD42");
  });

  it("an unlinked refund (no payment) is stored with no sale and its reason, without a lookup", async () => {
    runtime = squareRuntime();
    const unlinked = {
      id: "UNLINKED1",
      status: "COMPLETED",
      unlinked: true,
      destination_type: "CASH",
      amount_money: { amount: 1250, currency: "USD" },
      location_id: "L1",
      reason: "Goodwill",
      created_at: "2024-04-02T00:00:00.000Z",
      updated_at: "2024-04-02T00:00:00.000Z",
    };
    runtime.http.getOnce(`${API}/v2/refunds*`, { body: { refunds: [unlinked] } });
    expect(await json(await runtime.call(POST))).toMatchObject({ accepted: 1, skipped: [] });
    expect(runtime.records("refund_receipt")).toEqual([expect.objectContaining({ refund_id: "UNLINKED1", receipt_id: null, reason: "Goodwill", total: "12.50" })]);
    expect(runtime.http.calls).toHaveLength(1);
  });

  it("a return order Square does not find, or one naming no sale, is skipped and reported, never stored unlinked", async () => {
    runtime = squareRuntime();
    runtime.http.getOnce(`${API}/v2/refunds*`, { body: { refunds: refundPage(2) } });
    runtime.http.postOnce(BATCH_URL, { body: { orders: [returnOrder("RET1", undefined)] } });
    const body = await json(await runtime.call(POST));
    expect(body).toMatchObject({ accepted: 0, skipped: [{ id: "R0" }, { id: "R1" }] });
    expect(runtime.storedRecords()).toEqual([]);
  });

  it("a refund with a payment but no order_id falls back to GetPayment", async () => {
    runtime = squareRuntime();
    const [refund] = refundPage(1);
    runtime.http.getOnce(`${API}/v2/refunds*`, { body: { refunds: [{ ...refund, order_id: undefined }] } });
    runtime.http.getOnce(`${API}/v2/payments/PAY0`, { body: { payment: { id: "PAY0", order_id: "SALE0" } } });
    await runtime.call(POST);
    expect(receipts()).toEqual({ R0: "SALE0" });
  });

  it("incremental: updated_at_begin_time from the high-water mark; INVALID_CURSOR restarts from the latest updated_at read", async () => {
    runtime = squareRuntime({
      checkpoints: {
        refunds: {
          highWater: "2024-04-01T00:00:00.000Z",
          passStartedAt: "2024-07-01T12:00:00.000Z",
          cursor: "old",
          cursorSince: "2024-04-01T00:00:00.000Z",
          passHighWater: "2024-04-03T20:00:03.497Z",
        },
      },
    });
    runtime.http.getOnce(`${API}/v2/refunds*`, { status: 400, body: fixture("error-invalid-cursor.json") });
    runtime.http.getOnce(`${API}/v2/refunds*`, { body: { refunds: [] } });
    const body = await json(await runtime.call(POST));
    expect(body).toMatchObject({ restartedAfter: "INVALID_CURSOR", hasMore: false });
    const [stale, restart] = listCalls();
    expect(stale!.cursor).toBe("old");
    expect(stale!.updated_at_begin_time).toBe("2024-03-31T23:59:00.000Z");
    expect(restart!.cursor).toBeUndefined();
    expect(restart!.updated_at_begin_time).toBe("2024-04-03T19:59:03.497Z");
    for (const params of [stale!, restart!]) expect(params.begin_time).toBe("2009-01-01T00:00:00Z");
    expect(runtime.checkpoint("refunds")).toEqual({ highWater: "2024-07-01T12:00:00.000Z" });
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

  describe("the return-order batch fails", () => {
    it("429 on the batch → retry signal with Square's pause, nothing committed, the checkpoint untouched", async () => {
      const saved: RefundsCheckpoint = { passStartedAt: "2024-07-01T12:00:00.000Z", cursor: "c1" };
      runtime = squareRuntime({ checkpoints: { refunds: saved } });
      runtime.http.on("GET", `${API}/v2/refunds*`, { body: { refunds: refundPage(3), cursor: "c2" } });
      batches(() => rateLimited);
      const response = await runtime.call(POST);
      expect(response.status).toBe(429);
      expect(response.headers.get("retry-after")).toBe("3");
      expect(runtime.storedRecords()).toEqual([]);
      expect(runtime.checkpoint("refunds")).toEqual(saved);
    });

    it("the resolved prefix (refunds needing no lookup) is kept; the next call reads the same page and finishes it", async () => {
      runtime = squareRuntime();
      const refunds = refundPage(4);
      refunds[0] = { ...refunds[0]!, payment_id: undefined, order_id: undefined, unlinked: true };
      refunds[1] = { ...refunds[1]!, status: "PENDING" };
      runtime.http.on("GET", `${API}/v2/refunds*`, { body: { refunds, cursor: "next" }, headers: { date: "Mon, 01 Jul 2024 12:00:00 GMT" } });
      let failing = true;
      batches(() => (failing ? serverError : undefined));
      expect(await json(await runtime.call(POST))).toMatchObject({ accepted: 1, notSettled: 1, hasMore: true, page: { done: 2, of: 4 } });
      expect(runtime.checkpoint<RefundsCheckpoint>("refunds")).toEqual({
        passStartedAt: "2024-07-01T12:00:00.000Z",
        passHighWater: "2024-04-01T00:00:01.000Z",
        pageDone: 2,
        pageDoneId: "R1",
      });
      failing = false;
      expect(await json(await runtime.call(POST))).toMatchObject({ accepted: 2, hasMore: true });
      expect(receipts()).toEqual({ R0: null, R2: "ORD2", R3: "ORD3" });
      // Only the refunds not done were looked up again; the same page (no cursor) was re-read.
      expect(batchCalls()).toEqual([
        ["RET2", "RET3"],
        ["RET2", "RET3"],
      ]);
      expect(listCalls()).toEqual([listCalls()[0], listCalls()[0]]);
      expect(runtime.checkpoint<RefundsCheckpoint>("refunds")).toEqual({ passStartedAt: "2024-07-01T12:00:00.000Z", cursor: "next", passHighWater: "2024-04-01T00:00:03.000Z" });
    });

    it("a resumed page whose first lookup fails → 502 (retried by the host), the offset stays", async () => {
      const saved: RefundsCheckpoint = { passStartedAt: "2024-07-01T12:00:00.000Z", pageDone: 2, pageDoneId: "R1" };
      runtime = squareRuntime({ checkpoints: { refunds: saved } });
      runtime.http.on("GET", `${API}/v2/refunds*`, { body: { refunds: refundPage(4) } });
      batches(() => serverError);
      expect((await runtime.call(POST)).status).toBe(502);
      expect(batchCalls()).toEqual([["RET2", "RET3"]]);
      expect(runtime.checkpoint("refunds")).toEqual(saved);
    });

    it("a re-read page that changed (the last done refund moved) is read from its start; keys stay stable", async () => {
      const saved: RefundsCheckpoint = { passStartedAt: "2024-07-01T12:00:00.000Z", pageDone: 2, pageDoneId: "R1" };
      runtime = squareRuntime({ checkpoints: { refunds: saved } });
      const [r0, r1, r2] = refundPage(3);
      runtime.http.on("GET", `${API}/v2/refunds*`, { body: { refunds: [r0, r2, { ...r1!, updated_at: "2024-04-02T00:00:00.000Z" }] } });
      batches();
      expect(await json(await runtime.call(POST))).toMatchObject({ accepted: 3, hasMore: false });
      expect(batchCalls()).toEqual([["RET0", "RET2", "RET1"]]);
      expect(runtime.storedRecords().map((r) => r.idempotencyKey)).toEqual(["square:refund:R0", "square:refund:R2", "square:refund:R1"]);
    });

    it("a batch answered with a body cut short is transient too, never a refund without its sale", async () => {
      runtime = squareRuntime();
      runtime.http.on("GET", `${API}/v2/refunds*`, { body: { refunds: refundPage(3) } });
      batches(() => ({ body: '{"orders":[{"id":"RE', headers: { "content-type": "application/json" } }));
      expect((await runtime.call(POST)).status).toBe(502);
      expect(runtime.storedRecords()).toEqual([]);
    });
  });
});
