import { describe, expect, it } from "vitest";
import { POST } from "../src/api/sync/refunds.js";
import { REFUNDS_HISTORY_START, type RefundsCheckpoint } from "../src/api/sync/refunds.js";
import { MAX_PAYMENT_LOOKUPS } from "../src/lib/payments.js";
import type { MockResponse, RecordedCall } from "@backfill-io/sdk/testing";
import { API, fixture, json, squareRuntime, expectNoLeaksAfterEach } from "./helpers.js";

let runtime: ReturnType<typeof squareRuntime>;
expectNoLeaksAfterEach();

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
    expect(Object.fromEntries(new URL(runtime.http.calls[0]!.url).searchParams)).toEqual({ begin_time: REFUNDS_HISTORY_START, limit: "100", sort_field: "UPDATED_AT", sort_order: "ASC" });
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
    // Square's begin_time (created_at) defaults to a year ago: every request asks for all of history.
    for (const params of [stale!, restart!]) expect(params.get("begin_time")).toBe("2009-01-01T00:00:00Z");
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

  describe("a payment lookup fails mid-page", () => {
    const [template] = fixture("refunds-list.json").refunds;
    /** Refund R<i> of payment PAY<i> (order ORD<i>), updated at second i. */
    const refundPage = (n: number, from = 0) =>
      Array.from({ length: n }, (_, k) => {
        const i = from + k;
        return { ...template, id: `R${i}`, payment_id: `PAY${i}`, updated_at: new Date(Date.UTC(2024, 3, 1, 0, 0, i)).toISOString() };
      });
    const rateLimited: MockResponse = { status: 429, body: fixture("error-rate-limited.json"), headers: { "retry-after": "3" } };
    const serverError: MockResponse = { status: 500, body: { errors: [{ category: "API_ERROR", code: "INTERNAL_SERVER_ERROR" }] } };
    const paymentId = (call: RecordedCall) => decodeURIComponent(new URL(call.url).pathname.split("/").pop()!);
    /** Answers GetPayment; `fail(id)` returns a failure for the lookups that should fail. */
    const payments = (fail: (id: string) => MockResponse | undefined) =>
      runtime.http.on("GET", /\/v2\/payments\/[^/?]+$/, (call) => {
        const id = paymentId(call);
        return fail(id) ?? { body: { payment: { id, order_id: id.replace("PAY", "ORD") } } };
      });
    const lookups = () => runtime.http.calls.filter((c) => c.url.includes("/v2/payments/")).map(paymentId);
    const listCalls = () => runtime.http.calls.filter((c) => c.url.includes("/v2/refunds")).map((c) => Object.fromEntries(new URL(c.url).searchParams));
    const receipts = () => Object.fromEntries(runtime.records("refund_receipt").map((r) => [r.refund_id, r.receipt_id]));
    const accepted = () => runtime.storedRecords().length;

    for (const [name, failure] of [["429", rateLimited], ["5xx", serverError]] as const) {
      it(`${name} on the 5th lookup: the prefix is ingested, the checkpoint records the offset, the next call completes the page`, async () => {
        runtime = squareRuntime();
        const page = { refunds: refundPage(10), cursor: "next-page" };
        runtime.http.on("GET", `${API}/v2/refunds*`, { body: page, headers: { date: "Mon, 01 Jul 2024 12:00:00 GMT" } });
        let failing = true;
        payments((id) => (id === "PAY4" && failing ? failure : undefined));

        const first = await runtime.call(POST);
        expect(first.status).toBe(200);
        expect(await json(first)).toMatchObject({ accepted: 4, rejected: 0, hasMore: true, page: { done: 4, of: 10 } });
        expect(runtime.hasMore("refunds")).toBe(true);
        expect(runtime.checkpoint<RefundsCheckpoint>("refunds")).toEqual({
          passStartedAt: "2024-07-01T12:00:00.000Z",
          passHighWater: "2024-04-01T00:00:03.000Z",
          pageDone: 4,
          pageDoneId: "R3",
        });
        expect(receipts()).toEqual({ R0: "ORD0", R1: "ORD1", R2: "ORD2", R3: "ORD3" });
        // Rate limited: the host is asked to wait Retry-After before the rest; a 5xx needs no pause.
        expect(runtime.pauseSeconds("refunds")).toBe(name === "429" ? 3 : undefined);

        failing = false;
        const second = await runtime.call(POST);
        expect(await json(second)).toMatchObject({ accepted: 6, rejected: 0, hasMore: true });
        expect(Object.keys(receipts()).sort()).toEqual(page.refunds.map((r) => r.id).sort());
        expect(accepted()).toBe(10);
        // The same page was read again (same query, no cursor: it is the first page), and only
        // the payments not done yet were looked up (PAY4 twice: it failed once).
        expect(listCalls()).toEqual([listCalls()[0], listCalls()[0]]);
        expect(lookups()).toEqual(["PAY0", "PAY1", "PAY2", "PAY3", "PAY4", "PAY4", "PAY5", "PAY6", "PAY7", "PAY8", "PAY9"]);
        expect(runtime.checkpoint<RefundsCheckpoint>("refunds")).toEqual({ passStartedAt: "2024-07-01T12:00:00.000Z", cursor: "next-page", passHighWater: "2024-04-01T00:00:09.000Z" });
      });
    }

    it("a page read with a cursor is re-read with that cursor and query; the high-water mark is kept", async () => {
      const saved: RefundsCheckpoint = { highWater: "2024-03-01T00:00:00.000Z", passStartedAt: "2024-07-01T12:00:00.000Z", cursor: "c5", cursorSince: "2024-03-01T00:00:00.000Z", passHighWater: "2024-03-31T00:00:00.000Z" };
      runtime = squareRuntime({ checkpoints: { refunds: saved } });
      runtime.http.on("GET", `${API}/v2/refunds*`, { body: { refunds: refundPage(5) } });
      let failures = 1;
      payments((id) => (id === "PAY2" && failures-- > 0 ? serverError : undefined));
      await runtime.call(POST);
      expect(runtime.checkpoint<RefundsCheckpoint>("refunds")).toEqual({ ...saved, passHighWater: "2024-04-01T00:00:01.000Z", pageDone: 2, pageDoneId: "R1" });
      await runtime.call(POST);
      expect(listCalls().map((q) => [q.cursor, q.updated_at_begin_time])).toEqual([
        ["c5", "2024-02-29T23:59:00.000Z"],
        ["c5", "2024-02-29T23:59:00.000Z"],
      ]);
      expect(accepted()).toBe(5);
      expect(runtime.hasMore("refunds")).toBe(false);
      expect(runtime.checkpoint("refunds")).toEqual({ highWater: "2024-07-01T12:00:00.000Z" });
    });

    it("every lookup failing → retry signal and nothing committed", async () => {
      const saved: RefundsCheckpoint = { passStartedAt: "2024-07-01T12:00:00.000Z", cursor: "c1" };
      runtime = squareRuntime({ checkpoints: { refunds: saved } });
      runtime.http.on("GET", `${API}/v2/refunds*`, { body: { refunds: refundPage(3), cursor: "c2" } });
      payments(() => rateLimited);
      const response = await runtime.call(POST);
      expect(response.status).toBe(429);
      expect(response.headers.get("retry-after")).toBe("3");
      expect(lookups()).toEqual(["PAY0"]);
      expect(runtime.storedRecords()).toEqual([]);
      expect(runtime.checkpoint("refunds")).toEqual(saved);
    });

    it("the first lookup of a resumed page failing → 502 (retried by the host), the offset stays", async () => {
      const saved: RefundsCheckpoint = { passStartedAt: "2024-07-01T12:00:00.000Z", pageDone: 2, pageDoneId: "R1" };
      runtime = squareRuntime({ checkpoints: { refunds: saved } });
      runtime.http.on("GET", `${API}/v2/refunds*`, { body: { refunds: refundPage(4) } });
      payments(() => serverError);
      const response = await runtime.call(POST);
      expect(response.status).toBe(502);
      expect(lookups()).toEqual(["PAY2"]);
      expect(runtime.checkpoint("refunds")).toEqual(saved);
    });

    it("refunds without a lookup of their own (pending, or a payment already resolved) do not end the page", async () => {
      runtime = squareRuntime();
      const refunds = refundPage(4);
      refunds[1] = { ...refunds[1]!, status: "PENDING" };
      refunds[2] = { ...refunds[2]!, payment_id: "PAY0" };
      runtime.http.on("GET", `${API}/v2/refunds*`, { body: { refunds } });
      payments((id) => (id === "PAY3" ? rateLimited : undefined));
      expect(await json(await runtime.call(POST))).toMatchObject({ accepted: 2, notSettled: 1, page: { done: 3, of: 4 } });
      expect(receipts()).toEqual({ R0: "ORD0", R2: "ORD0" });
      expect(runtime.checkpoint<RefundsCheckpoint>("refunds")).toMatchObject({ pageDone: 3, pageDoneId: "R2" });
    });

    it("a re-read page that changed (the last done refund moved) is read from its start; keys stay stable", async () => {
      const saved: RefundsCheckpoint = { passStartedAt: "2024-07-01T12:00:00.000Z", pageDone: 2, pageDoneId: "R1" };
      runtime = squareRuntime({ checkpoints: { refunds: saved } });
      // R1 was updated meanwhile and moved to the end of the (ascending) first page.
      const [r0, r1, r2] = refundPage(3);
      runtime.http.on("GET", `${API}/v2/refunds*`, { body: { refunds: [r0, r2, { ...r1!, updated_at: "2024-04-02T00:00:00.000Z" }] } });
      payments(() => undefined);
      expect(await json(await runtime.call(POST))).toMatchObject({ accepted: 3, hasMore: false });
      expect(lookups()).toEqual(["PAY0", "PAY2", "PAY1"]);
      expect(runtime.storedRecords().map((r) => r.idempotencyKey)).toEqual(["square:refund:R0", "square:refund:R2", "square:refund:R1"]);
    });

    it("INVALID_CURSOR on a page in progress restarts from the latest updated_at done, from the new page's start", async () => {
      const saved: RefundsCheckpoint = { passStartedAt: "2024-07-01T12:00:00.000Z", cursor: "stale", passHighWater: "2024-04-01T00:00:01.000Z", pageDone: 2, pageDoneId: "R1" };
      runtime = squareRuntime({ checkpoints: { refunds: saved } });
      runtime.http.getOnce(`${API}/v2/refunds*`, { status: 400, body: fixture("error-invalid-cursor.json") });
      runtime.http.getOnce(`${API}/v2/refunds*`, { body: { refunds: refundPage(3, 1) } });
      payments(() => undefined);
      expect(await json(await runtime.call(POST))).toMatchObject({ accepted: 3, restartedAfter: "INVALID_CURSOR", hasMore: false });
      expect(listCalls()[1]).toMatchObject({ updated_at_begin_time: "2024-03-31T23:59:01.000Z" });
      expect(listCalls()[1]!.cursor).toBeUndefined();
      expect(lookups()).toEqual(["PAY1", "PAY2", "PAY3"]);
    });

    it(`at most ${MAX_PAYMENT_LOOKUPS} lookups per call: a page across 100 payments is read in parts`, async () => {
      runtime = squareRuntime();
      runtime.http.on("GET", `${API}/v2/refunds*`, { body: { refunds: refundPage(100) } });
      payments(() => undefined);
      const done: number[] = [];
      for (let call = 0; call < 5 && runtime.hasMore("refunds") !== false; call++) {
        await runtime.call(POST);
        done.push(runtime.checkpoint<RefundsCheckpoint>("refunds")!.pageDone ?? 100);
      }
      expect(done).toEqual([MAX_PAYMENT_LOOKUPS, 2 * MAX_PAYMENT_LOOKUPS, 100]);
      expect(accepted()).toBe(100);
      expect(lookups()).toHaveLength(100);
    });

    it("a lookup answered with a body cut short is transient too, never a refund without its order", async () => {
      runtime = squareRuntime();
      runtime.http.on("GET", `${API}/v2/refunds*`, { body: { refunds: refundPage(3) } });
      payments((id) => (id === "PAY1" ? { body: '{"payment":{"id":"PA', headers: { "content-type": "application/json" } } : undefined));
      expect(await json(await runtime.call(POST))).toMatchObject({ accepted: 1, skipped: [], page: { done: 1, of: 3 } });
    });
  });
});
