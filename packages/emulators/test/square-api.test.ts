import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningSquareEmulator, SquareOrder } from "../src/square/index.js";
import { getJson, JPY_MERCHANT, KWD_MERCHANT, postJson, start, USD_MERCHANT, type Json, type JsonResponse } from "./square-helpers.js";

describe("Square emulator v2 API", () => {
  let emulator: RunningSquareEmulator;
  let token: string;
  const api = (path: string) => `${emulator.url}${path}`;
  const search = (path: string, body: unknown) => postJson(api(path), body, { authorization: `Bearer ${token}` });

  beforeAll(async () => {
    emulator = await start();
    token = emulator.state.issueAccessToken(USD_MERCHANT).access_token;
  });
  afterAll(() => emulator.close());

  type Listed = Json & { id: string; unlinked?: boolean };
  async function allPages(fetchPage: (cursor?: string) => Promise<JsonResponse>, key: "customers" | "orders" | "refunds" | "payments"): Promise<Listed[]> {
    const records: Listed[] = [];
    let cursor: string | undefined;
    do {
      const page = await fetchPage(cursor);
      expect(page.status).toBe(200);
      records.push(...(page.body[key] ?? []));
      cursor = page.body.cursor;
    } while (cursor);
    return records;
  }

  async function searchAllOrders(query: Json, limit = 13): Promise<SquareOrder[]> {
    const locations = emulator.state.snapshot(USD_MERCHANT).locations.map((location) => location.id);
    const orders: SquareOrder[] = [];
    for (let index = 0; index < locations.length; index += 10) {
      const location_ids = locations.slice(index, index + 10);
      orders.push(...((await allPages((cursor) => search("/v2/orders/search", { location_ids, query, limit, cursor }), "orders")) as unknown as SquareOrder[]));
    }
    return orders;
  }

  it("serves the merchant and its locations", async () => {
    const me = await getJson(api("/v2/merchants/me"), token);
    expect(me.body.merchant).toMatchObject({ id: USD_MERCHANT, currency: "USD", country: "US", status: "ACTIVE" });
    expect(Object.keys(me.body.merchant)).toEqual(expect.arrayContaining(["business_name", "language_code", "main_location_id"]));
    const locations = await getJson(api("/v2/locations"), token);
    expect(locations.body.locations).toHaveLength(12);
    expect(locations.body.locations[0]!.id).toBe(me.body.merchant.main_location_id);
  });

  it("ListCustomers pages through every customer exactly once", async () => {
    const customers = await allPages((cursor) => getJson(api(`/v2/customers?limit=7${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`), token), "customers");
    const expected = emulator.state.snapshot(USD_MERCHANT).customers;
    expect(customers.map((customer) => customer.id).sort()).toEqual(expected.map((customer) => customer.id).sort());
    expect(customers).toEqual(expect.arrayContaining(expected));
  });

  it("SearchCustomers filters on updated_at (start inclusive, end exclusive) and sorts", async () => {
    const snapshot = emulator.state.snapshot(USD_MERCHANT).customers;
    const sorted = snapshot.map((customer) => customer.updated_at).sort();
    const start_at = sorted[10]!;
    const end_at = sorted[40]!;
    // Square sorts customers by DEFAULT (name) or CREATED_AT only.
    const query = { filter: { updated_at: { start_at, end_at } }, sort: { field: "CREATED_AT", order: "ASC" } };
    const found = await allPages((cursor) => search("/v2/customers/search", { query, limit: 6, cursor }), "customers");
    const expected = snapshot.filter((customer) => customer.updated_at >= start_at && customer.updated_at < end_at);
    expect(found.map((customer) => customer.id).sort()).toEqual(expected.map((customer) => customer.id).sort());
    const times = found.map((customer) => customer.created_at as string);
    expect([...times].sort()).toEqual(times);
  });

  it("SearchOrders over batches of 10 locations returns every order once, in updated_at order per batch", async () => {
    const orders = await searchAllOrders({ sort: { sort_field: "UPDATED_AT", sort_order: "ASC" } });
    const expected = emulator.state.snapshot(USD_MERCHANT).orders;
    expect(orders).toHaveLength(expected.length);
    expect(new Set(orders.map((order) => order.id)).size).toBe(expected.length);
    expect(orders).toEqual(expect.arrayContaining(expected));
  });

  it("SearchOrders rejects more than 10 location_ids", async () => {
    const location_ids = emulator.state
      .snapshot(USD_MERCHANT)
      .locations.map((location) => location.id)
      .slice(0, 11);
    const response = await search("/v2/orders/search", { location_ids });
    expect(response.status).toBe(400);
    expect(response.body.errors[0]).toMatchObject({ category: "INVALID_REQUEST_ERROR", field: "location_ids" });
    expect(response.body.errors[0]!.detail).toMatch(/more than 10/);
  });

  it("SearchOrders filters on updated_at and state, and returns entries when asked", async () => {
    const snapshot = emulator.state.snapshot(USD_MERCHANT).orders;
    const start_at = [...snapshot.map((order) => order.updated_at)].sort()[50]!;
    const query = {
      filter: { date_time_filter: { updated_at: { start_at } }, state_filter: { states: ["COMPLETED"] } },
      sort: { sort_field: "UPDATED_AT", sort_order: "DESC" },
    };
    const found = await searchAllOrders(query, 1000);
    const expected = snapshot.filter((order) => order.updated_at >= start_at && order.state === "COMPLETED");
    expect(found.map((order) => order.id).sort()).toEqual(expected.map((order) => order.id).sort());

    const mismatch = await search("/v2/orders/search", {
      location_ids: [snapshot[0]!.location_id],
      query: { filter: { date_time_filter: { updated_at: { start_at } } }, sort: { sort_field: "CREATED_AT" } },
    });
    expect(mismatch.status).toBe(400);

    const entries = await search("/v2/orders/search", { location_ids: [snapshot[0]!.location_id], return_entries: true, limit: 2 });
    expect(Object.keys(entries.body.order_entries[0]!).sort()).toEqual(["location_id", "order_id", "version"]);
    // Above 500 Square still serves at most 500 (clamped, not refused).
    const tooMany = await search("/v2/orders/search", { location_ids: [snapshot[0]!.location_id], limit: 1001 });
    expect(tooMany.status).toBe(200);
  });

  it("cursors replay within 5 minutes and expire after, with INVALID_CURSOR", async () => {
    const first = await getJson(api("/v2/customers?limit=5"), token);
    const cursor = encodeURIComponent(first.body.cursor as string);
    const replay1 = await getJson(api(`/v2/customers?limit=5&cursor=${cursor}`), token);
    const replay2 = await getJson(api(`/v2/customers?limit=5&cursor=${cursor}`), token);
    expect(replay1.body.customers).toEqual(replay2.body.customers);
    emulator.state.advanceClock(5 * 60_000);
    const expired = await getJson(api(`/v2/customers?limit=5&cursor=${cursor}`), token);
    expect(expired.status).toBe(400);
    expect(expired.body.errors[0]).toMatchObject({ category: "INVALID_REQUEST_ERROR", code: "INVALID_CURSOR" });
    const bogus = await getJson(api("/v2/customers?cursor=nope"), token);
    expect(bogus.body.errors[0]!.code).toBe("INVALID_CURSOR");
  });

  it("ListPaymentRefunds and ListPayments page every record once; payments by id", async () => {
    const snapshot = emulator.state.snapshot(USD_MERCHANT);
    const all = `begin_time=${encodeURIComponent("2009-01-01T00:00:00Z")}`;
    const refunds = await allPages((cursor) => getJson(api(`/v2/refunds?${all}&limit=5&sort_order=ASC${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`), token), "refunds");
    expect(refunds.map((refund) => refund.id).sort()).toEqual(snapshot.refunds.map((refund) => refund.id).sort());
    const linked = refunds.find((refund) => !refund.unlinked);
    expect(Object.keys(linked!).sort()).toEqual(["amount_money", "created_at", "id", "location_id", "order_id", "payment_id", "reason", "status", "updated_at"]);
    const since = [...snapshot.refunds.map((refund) => refund.updated_at)].sort()[3]!;
    const recent = await getJson(api(`/v2/refunds?${all}&updated_at_begin_time=${encodeURIComponent(since)}`), token);
    expect(recent.body.refunds).toHaveLength(snapshot.refunds.filter((refund) => refund.updated_at >= since).length);

    const payments = await allPages((cursor) => getJson(api(`/v2/payments?${all}&limit=40${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`), token), "payments");
    expect(payments).toHaveLength(snapshot.payments.length);
    const one = await getJson(api(`/v2/payments/${snapshot.payments[0]!.id}`), token);
    expect(one.body.payment).toEqual(snapshot.payments[0]);
    const missing = await getJson(api("/v2/payments/NOPE"), token);
    expect(missing.status).toBe(404);
    expect(missing.body.errors[0]).toMatchObject({ category: "INVALID_REQUEST_ERROR", code: "NOT_FOUND" });
  });

  it("seeds realistic data: currencies in minor units, guests, partial and multiple refunds, all states", () => {
    const usd = emulator.state.snapshot(USD_MERCHANT);
    const states = new Set(usd.orders.map((order) => order.state));
    expect([...states].sort()).toEqual(["CANCELED", "COMPLETED", "OPEN"]);
    expect(usd.orders.some((order) => order.customer_id === undefined)).toBe(true);
    // A refund is its own return order naming the sale; a sale may have several.
    const sales = usd.orders.filter((order) => !order.returns);
    const returnsBySale = new Map<string, number>();
    for (const order of usd.orders) for (const ret of order.returns ?? []) returnsBySale.set(ret.source_order_id, (returnsBySale.get(ret.source_order_id) ?? 0) + 1);
    expect([...returnsBySale.values()].some((count) => count >= 2)).toBe(true);
    expect(usd.refunds.some((refund) => refund.unlinked === true && refund.payment_id === undefined)).toBe(true);
    for (const order of sales) {
      const lineTotal = order.line_items.reduce((sum, item) => sum + item.total_money.amount, 0);
      expect(order.total_money.amount).toBe(lineTotal + order.total_service_charge_money.amount);
      for (const item of order.line_items) {
        expect(item.total_money.amount).toBe(item.gross_sales_money.amount - item.total_discount_money.amount + item.total_tax_money.amount);
        expect(item.gross_sales_money.amount).toBe(item.base_price_money.amount * Number(item.quantity));
      }
      if (order.state === "COMPLETED") expect(order.tenders?.[0]?.payment_id).toBeTruthy();
    }
    for (const [merchantId, currency] of [
      [JPY_MERCHANT, "JPY"],
      [KWD_MERCHANT, "KWD"],
    ] as const) {
      const data = emulator.state.snapshot(merchantId);
      expect(data.merchant.currency).toBe(currency);
      for (const order of data.orders) {
        expect(order.total_money.currency).toBe(currency);
        expect(Number.isInteger(order.total_money.amount)).toBe(true);
      }
    }
    // KWD prices are in fils: 0.500 to 15.000 KWD.
    const kwdPrices = emulator.state.snapshot(KWD_MERCHANT).orders.flatMap((order) => order.line_items.map((item) => item.base_price_money.amount));
    expect(Math.max(...kwdPrices)).toBeGreaterThan(1000);
  });

  it("advance() changes records after every existing timestamp, found by an updated_at incremental sync", async () => {
    const before = emulator.state.snapshot(USD_MERCHANT);
    const checkpoint = [...before.orders.map((order) => order.updated_at), ...before.customers.map((customer) => customer.updated_at)].sort().at(-1)!;
    const cursorAfter = new Date(Date.parse(checkpoint) + 1).toISOString();
    const changes = emulator.state.advance({ merchantId: USD_MERCHANT });
    expect(changes.customers.length).toBeGreaterThanOrEqual(4);
    expect(changes.orders.length).toBeGreaterThanOrEqual(3);

    const customers = await allPages((cursor) => search("/v2/customers/search", { query: { filter: { updated_at: { start_at: cursorAfter } } }, cursor }), "customers");
    expect(customers.map((customer) => customer.id).sort()).toEqual([...changes.customers].sort());
    const orders = await searchAllOrders({ filter: { date_time_filter: { updated_at: { start_at: cursorAfter } } }, sort: { sort_field: "UPDATED_AT", sort_order: "ASC" } });
    expect(orders.map((order) => order.id).sort()).toEqual([...changes.orders].sort());
    const after = emulator.state.snapshot(USD_MERCHANT);
    for (const order of orders) expect(order).toEqual(after.orders.find((candidate) => candidate.id === order.id));
  });
});
