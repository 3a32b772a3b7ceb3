import { describe, expect, it } from "vitest";
import { POST } from "../src/api/sync/orders.js";
import type { OrdersCheckpoint } from "../src/api/sync/orders.js";
import type { RecordedCall } from "@backfill-io/sdk/testing";
import type { ErrorBody } from "@backfill-io/sdk";
import { API, fixture, json, squareRuntime, expectNoLeaksAfterEach } from "./helpers.js";
import type { OrdersFixture } from "./fixture-shapes.js";

let runtime: ReturnType<typeof squareRuntime>;
expectNoLeaksAfterEach();

const ids = (n: number, prefix = "LOC") => Array.from({ length: n }, (_, i) => `${prefix}${String(i).padStart(2, "0")}`);
const locations = (list: string[]) => ({
  body: { locations: list.map((id) => ({ id, name: id, status: "ACTIVE", currency: "USD" })) },
  headers: { date: "Mon, 01 Jul 2024 12:00:00 GMT" },
});
type SearchBody = { location_ids: string[]; cursor?: string; query: { filter: { date_time_filter?: { updated_at: { start_at: string } } }; sort: unknown } };
const searchBody = (call: RecordedCall) => call.body as SearchBody;
const searches = () => runtime.http.calls.filter((c) => c.url === `${API}/v2/orders/search`).map(searchBody);

describe("sync/orders", () => {
  it("ingests USD, JPY and KWD orders with money in each currency's precision and Square-id idempotency keys", async () => {
    runtime = squareRuntime();
    runtime.http.on("GET", `${API}/v2/locations`, locations(["L1V8KQ5C2N3ZB"]));
    const usd = fixture<OrdersFixture>("orders-search-usd.json");
    const orders = [usd.orders[0]!, fixture<OrdersFixture>("orders-search-jpy.json").orders[0]!, fixture<OrdersFixture>("orders-search-kwd.json").orders[0]];
    runtime.http.postOnce(`${API}/v2/orders/search`, { body: { orders } });
    const response = await runtime.call(POST);
    expect(await json(response)).toMatchObject({ accepted: 3, rejected: 0, hasMore: false });
    expect(Object.fromEntries(runtime.records("sales_receipt").map((r) => [r.currency, r.total]))).toEqual({ USD: "16.78", JPY: "1650", KWD: "6.000" });
    expect(runtime.storedRecords().map((r) => r.idempotencyKey)).toEqual([
      "square:order:CAISENgvlJ6jLWAzERDzjyHVybY",
      "square:order:9ltv0bx5PuvGXUYHYHxYSKEqC3IZY",
      "square:order:kwdOrder7Fq2ZtWcGm3vRbA0xYZ",
    ]);
    expect(searches()[0]).toMatchObject({
      location_ids: ["L1V8KQ5C2N3ZB"],
      limit: 500,
      query: { filter: { state_filter: { states: ["OPEN", "COMPLETED", "CANCELED"] } }, sort: { sort_field: "UPDATED_AT", sort_order: "ASC" } },
    });
    expect(runtime.checkpoint("orders")).toEqual({ highWater: "2024-07-01T12:00:00.000Z", knownLocationIds: ["L1V8KQ5C2N3ZB"] });
  });

  it("a return order (a refund's own order: returns[] naming the sale, nothing sold) is not a sales receipt", async () => {
    runtime = squareRuntime();
    runtime.http.on("GET", `${API}/v2/locations`, locations(["L1V8KQ5C2N3ZB"]));
    const sale = fixture<OrdersFixture>("orders-search-usd.json").orders[0]!;
    const [returnOrder] = fixture<OrdersFixture>("orders-batch-retrieve-return.json").orders;
    runtime.http.postOnce(`${API}/v2/orders/search`, { body: { orders: [sale, returnOrder] } });
    const body = await json(await runtime.call(POST));
    expect(body).toMatchObject({ accepted: 1, skipped: [], returnOrders: 1 });
    expect(runtime.records("sales_receipt").map((r) => r.receipt_id)).toEqual([sale.id]);
  });

  it("an order that cannot be represented is skipped and reported; the rest of the page commits", async () => {
    runtime = squareRuntime();
    runtime.http.on("GET", `${API}/v2/locations`, locations(["L1V8KQ5C2N3ZB"]));
    const bad = fixture<OrdersFixture>("orders-search-usd.json").orders[0]!;
    bad.id = "BADTOTALS";
    bad.total_money!.amount = 1;
    runtime.http.postOnce(`${API}/v2/orders/search`, { body: { orders: [bad, fixture<OrdersFixture>("orders-search-jpy.json").orders[0]] } });
    const body = await json(await runtime.call(POST));
    expect(body).toMatchObject({ accepted: 1, skipped: [{ id: "BADTOTALS" }] });
  });

  it("walks > 10 locations in batches of at most 10, following cursors, and records the batches", async () => {
    runtime = squareRuntime();
    const all = ids(23);
    runtime.http.on("GET", `${API}/v2/locations`, locations(all));
    runtime.http.postOnce(`${API}/v2/orders/search`, { body: { orders: [fixture<OrdersFixture>("orders-search-usd.json").orders[0]], cursor: "c1" } });
    runtime.http.postOnce(`${API}/v2/orders/search`, { body: { orders: [] } });
    runtime.http.postOnce(`${API}/v2/orders/search`, { body: { orders: [fixture<OrdersFixture>("orders-search-jpy.json").orders[0]] } });
    runtime.http.postOnce(`${API}/v2/orders/search`, { body: { orders: [fixture<OrdersFixture>("orders-search-kwd.json").orders[0]] } });

    const hasMore: boolean[] = [];
    for (let i = 0; i < 4; i++) {
      const response = await runtime.call(POST);
      expect(response.status).toBe(200);
      hasMore.push(runtime.hasMore("orders")!);
      if (i === 0) {
        const cp = runtime.checkpoint<OrdersCheckpoint>("orders")!;
        expect(cp.batches!.map((b) => b.locationIds.length)).toEqual([10, 10, 3]);
        expect(cp).toMatchObject({ batchIndex: 0, cursor: "c1", batchHighWater: "2024-04-02T18:31:12.000Z" });
      }
    }
    expect(hasMore).toEqual([true, true, true, false]);
    const sent = searches();
    expect(sent.map((b) => b.location_ids)).toEqual([all.slice(0, 10), all.slice(0, 10), all.slice(10, 20), all.slice(20)]);
    expect(sent.every((b) => b.location_ids.length <= 10)).toBe(true);
    expect(sent[1]!.cursor).toBe("c1");
    expect(runtime.records("sales_receipt")).toHaveLength(3);
    expect(runtime.checkpoint("orders")).toEqual({ highWater: "2024-07-01T12:00:00.000Z", knownLocationIds: all });
    // ListLocations once per pass, not once per page.
    expect(runtime.http.calls.filter((c) => c.url === `${API}/v2/locations`)).toHaveLength(1);
  });

  it("incremental pass filters each batch on updated_at from the high-water mark", async () => {
    runtime = squareRuntime({ checkpoints: { orders: { highWater: "2024-07-01T12:00:00.000Z" } } });
    runtime.http.on("GET", `${API}/v2/locations`, locations(["L1V8KQ5C2N3ZB"]));
    runtime.http.postOnce(`${API}/v2/orders/search`, { body: { orders: [] } });
    await runtime.call(POST);
    expect(searches()[0]!.query.filter.date_time_filter).toEqual({ updated_at: { start_at: "2024-07-01T11:59:00.000Z" } });
  });

  it("a location first seen at a pass's start is read over its whole history; known ones from the high-water mark", async () => {
    const known = ids(11);
    runtime = squareRuntime({ checkpoints: { orders: { highWater: "2024-06-01T00:00:00.000Z", knownLocationIds: known } } });
    // LOC10 is gone from the list; NEW00 opened since the last pass.
    runtime.http.on("GET", `${API}/v2/locations`, locations(["NEW00", ...known.slice(0, 10)]));
    runtime.http.on("POST", `${API}/v2/orders/search`, { body: {} });
    await runtime.call(POST);
    await runtime.call(POST);
    const sent = searches();
    expect(sent.map((b) => b.location_ids)).toEqual([known.slice(0, 10), ["NEW00"]]);
    expect(sent[0]!.query.filter.date_time_filter).toEqual({ updated_at: { start_at: "2024-05-31T23:59:00.000Z" } });
    expect(sent[1]!.query.filter.date_time_filter).toBeUndefined();
    expect(runtime.hasMore("orders")).toBe(false);
    expect(runtime.checkpoint("orders")).toEqual({ highWater: "2024-07-01T12:00:00.000Z", knownLocationIds: ["NEW00", ...known.slice(0, 10)].sort() });
  });

  it("INVALID_CURSOR restarts the batch from the latest updated_at it had read", async () => {
    const saved: OrdersCheckpoint = {
      passStartedAt: "2024-07-01T12:00:00.000Z",
      batches: [{ locationIds: ["L1V8KQ5C2N3ZB"] }],
      batchIndex: 0,
      cursor: "expired",
      batchHighWater: "2024-04-02T18:31:12.000Z",
    };
    runtime = squareRuntime({ checkpoints: { orders: saved } });
    runtime.http.on("GET", `${API}/v2/locations`, locations(["L1V8KQ5C2N3ZB"]));
    runtime.http.postOnce(`${API}/v2/orders/search`, { status: 400, body: fixture("error-invalid-cursor.json") });
    runtime.http.postOnce(`${API}/v2/orders/search`, { body: { orders: [fixture<OrdersFixture>("orders-search-jpy.json").orders[0]], cursor: "fresh" } });
    const body = await json(await runtime.call(POST));
    expect(body).toMatchObject({ accepted: 1, restartedAfter: "INVALID_CURSOR", hasMore: true });
    const sent = searches();
    expect(sent[0]!.cursor).toBe("expired");
    expect(sent[1]!.cursor).toBeUndefined();
    expect(sent[1]!.query.filter.date_time_filter).toEqual({ updated_at: { start_at: "2024-04-02T18:30:12.000Z" } });
    // The new cursor belongs to the restarted query: its since is kept with it.
    expect(runtime.checkpoint<OrdersCheckpoint>("orders")).toMatchObject({ cursor: "fresh", cursorSince: "2024-04-02T18:31:12.000Z", batchHighWater: "2024-05-01T03:00:09Z" });

    runtime.http.postOnce(`${API}/v2/orders/search`, { body: { orders: [] } });
    await runtime.call(POST);
    expect(searches()[2]).toMatchObject({ cursor: "fresh", query: { filter: { date_time_filter: { updated_at: { start_at: "2024-04-02T18:30:12.000Z" } } } } });
  });

  it("mid-pass, ListLocations is not read again: the recorded batch is searched", async () => {
    const saved: OrdersCheckpoint = {
      passStartedAt: "2024-07-01T12:00:00.000Z",
      batches: [{ locationIds: ["L1", "L2"] }, { locationIds: ["L3"] }],
      batchIndex: 0,
      cursor: "c1",
    };
    runtime = squareRuntime({ checkpoints: { orders: saved } });
    runtime.http.postOnce(`${API}/v2/orders/search`, { body: { orders: [fixture<OrdersFixture>("orders-search-jpy.json").orders[0]] } });
    const response = await runtime.call(POST);
    expect(await json(response)).toMatchObject({ accepted: 1, hasMore: true, batch: { index: 0, of: 2, locations: 2 } });
    expect(runtime.http.calls.map((c) => c.url)).toEqual([`${API}/v2/orders/search`]);
    expect(searches()[0]).toMatchObject({ location_ids: ["L1", "L2"], cursor: "c1" });
    expect(runtime.checkpoint<OrdersCheckpoint>("orders")).toMatchObject({ batches: saved.batches, batchIndex: 1 });
  });

  it("at the start of a pass ListLocations is needed: rate limited → retry signal, no search", async () => {
    runtime = squareRuntime({ checkpoints: { orders: { highWater: "2024-06-01T00:00:00.000Z" } } });
    runtime.http.getOnce(`${API}/v2/locations`, { status: 429, body: fixture("error-rate-limited.json") });
    expect((await runtime.call(POST)).status).toBe(429);
    expect(searches()).toEqual([]);
    expect(runtime.checkpoint("orders")).toEqual({ highWater: "2024-06-01T00:00:00.000Z" });
  });

  it("rate limited → retry signal, checkpoint untouched", async () => {
    runtime = squareRuntime();
    runtime.http.on("GET", `${API}/v2/locations`, locations(["L1V8KQ5C2N3ZB"]));
    runtime.http.postOnce(`${API}/v2/orders/search`, { status: 429, body: fixture("error-rate-limited.json") });
    const response = await runtime.call(POST);
    expect(response.status).toBe(429);
    expect(response.headers.get("retry-after")).toBe("2");
    expect(runtime.checkpoint("orders")).toBeUndefined();
  });

  it("missing token → 401 reauth_required", async () => {
    runtime = squareRuntime({ oauth: { accessToken: null } });
    const response = await runtime.call(POST);
    expect(response.status).toBe(401);
    expect((await json<ErrorBody>(response)).error.code).toBe("reauth_required");
  });
});
