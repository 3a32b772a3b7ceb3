// The emulator behaves as Square documents it, where a connector could otherwise pass against
// the emulator and lose data in production: return orders, refund statuses, rate-limit bodies,
// sort fields, versions, clamped limits, default orderings, counts and default time windows.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningSquareEmulator } from "../src/square/index.js";
import { getJson, postJson, start, USD_MERCHANT, type Json, type SquareAnswer } from "./square-helpers.js";

const DAY_MS = 86_400_000;
const ANCHOR = Date.parse("2025-06-01T00:00:00.000Z");
const ALL_TIME = `begin_time=${encodeURIComponent("2009-01-01T00:00:00Z")}`;

describe("Square emulator fidelity", () => {
  let emulator: RunningSquareEmulator;
  let token: string;
  const api = (path: string) => `${emulator.url}${path}`;
  const auth = () => ({ authorization: `Bearer ${token}` });
  const get = (path: string, headers: Record<string, string> = {}) => fetch(api(path), { headers: { ...auth(), "square-version": "2025-10-16", ...headers } });
  const post = (path: string, body: unknown) => postJson(api(path), body, auth());

  beforeAll(async () => {
    // The clock sits 30 days after the seeded history ends: part of it is over a year old.
    emulator = await start({
      now: () => ANCHOR + 30 * DAY_MS,
      merchants: [{ id: USD_MERCHANT, businessName: "Fidelity Cafe", currency: "USD", locations: 3, customers: 30, orders: 700 }],
    });
    token = emulator.state.issueAccessToken(USD_MERCHANT).access_token;
  });
  afterAll(() => emulator.close());

  async function allRefunds(query: string): Promise<Json[]> {
    const out: Json[] = [];
    let cursor: string | undefined;
    do {
      const page = await getJson(api(`/v2/refunds?${query}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`), token);
      expect(page.status).toBe(200);
      out.push(...((page.body.refunds as Json[] | undefined) ?? []));
      cursor = page.body.cursor;
    } while (cursor);
    return out;
  }

  it("a refund creates a return order naming the sale; PaymentRefund.order_id is that return order, the sale is unchanged", () => {
    const data = emulator.state.snapshot(USD_MERCHANT);
    const orders = new Map(data.orders.map((order) => [order.id, order]));
    const linked = data.refunds.filter((refund) => !refund.unlinked);
    expect(linked.length).toBeGreaterThan(20);
    for (const refund of linked) {
      const returnOrder = orders.get(refund.order_id!)!;
      const payment = data.payments.find((candidate) => candidate.id === refund.payment_id)!;
      expect(returnOrder.returns?.[0]?.source_order_id).toBe(payment.order_id);
      expect(returnOrder.line_items).toEqual([]);
      expect(returnOrder.return_amounts?.total_money.amount).toBe(refund.amount_money.amount);
      expect(returnOrder.refunds?.map((r) => r.id)).toEqual([refund.id]);
      expect(orders.get(payment.order_id)!.refunds).toBeUndefined();
    }
  });

  it("Order.refunds[].status is Square's Refund status (PENDING | APPROVED | REJECTED | FAILED), never COMPLETED", () => {
    const statuses = new Set(emulator.state.snapshot(USD_MERCHANT).orders.flatMap((order) => (order.refunds ?? []).map((refund) => refund.status)));
    expect(statuses.has("APPROVED")).toBe(true);
    for (const status of statuses) expect(["PENDING", "APPROVED", "REJECTED", "FAILED"]).toContain(status);
  });

  it("unlinked refunds have no payment and no order", () => {
    const unlinked = emulator.state.snapshot(USD_MERCHANT).refunds.filter((refund) => refund.unlinked);
    expect(unlinked.length).toBeGreaterThan(0);
    for (const refund of unlinked) expect(refund).not.toHaveProperty("payment_id");
  });

  it("429 bodies say category RATE_LIMIT_ERROR, code RATE_LIMITED", async () => {
    emulator.state.faults.inject("rate_limited");
    const response = await getJson(api("/v2/locations"), token);
    expect(response.status).toBe(429);
    expect(response.body.errors[0]).toMatchObject({ category: "RATE_LIMIT_ERROR", code: "RATE_LIMITED" });
  });

  it("SearchCustomers sorts only by DEFAULT or CREATED_AT", async () => {
    const refused = await post("/v2/customers/search", { query: { sort: { field: "UPDATED_AT", order: "ASC" } } });
    expect(refused.status).toBe(400);
    expect(refused.body.errors[0]).toMatchObject({ category: "INVALID_REQUEST_ERROR", code: "INVALID_ENUM_VALUE", field: "query.sort.field" });
    expect((await post("/v2/customers/search", { query: { sort: { field: "CREATED_AT", order: "ASC" } } })).status).toBe(200);
  });

  it("echoes Square-Version and refuses an unknown or malformed one", async () => {
    const pinned = await get("/v2/locations");
    expect(pinned.headers.get("square-version")).toBe("2025-10-16");
    const defaulted = await fetch(api("/v2/locations"), { headers: auth() });
    expect(defaulted.headers.get("square-version")).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    const unknown = await get("/v2/locations", { "square-version": "2019-13-45" });
    expect(unknown.status).toBe(400);
    expect(((await unknown.json()) as SquareAnswer).errors[0]).toMatchObject({ category: "INVALID_REQUEST_ERROR", code: "API_VERSION_INCOMPATIBLE" });
    const malformed = await get("/v2/locations", { "square-version": "latest" });
    expect(malformed.status).toBe(400);
    expect(((await malformed.json()) as SquareAnswer).errors[0]!.code).toBe("INVALID_SQUARE_VERSION_FORMAT");
  });

  it("clamps limits above the maximum instead of refusing them (ListPaymentRefunds 100, SearchOrders 500)", async () => {
    const refunds = await getJson(api(`/v2/refunds?${ALL_TIME}&limit=1000`), token);
    expect(refunds.status).toBe(200);
    expect(refunds.body.refunds).toHaveLength(100);
    const payments = await getJson(api(`/v2/payments?${ALL_TIME}&limit=250`), token);
    expect(payments.status).toBe(200);
    expect(payments.body.payments).toHaveLength(100);
    const locationIds = emulator.state.snapshot(USD_MERCHANT).locations.map((location) => location.id);
    const orders = await post("/v2/orders/search", { location_ids: locationIds, limit: 1000 });
    expect(orders.status).toBe(200);
    expect(orders.body.orders).toHaveLength(500);
    expect(orders.body.cursor).toBeTruthy();
  });

  it("lists customers by name when unsorted, and locations by name", async () => {
    const customers = (await getJson(api("/v2/customers"), token)).body.customers;
    const names = customers.map((c) => `${String(c.given_name)}${String(c.family_name)}`.toLowerCase());
    expect(names).toEqual([...names].sort((a, b) => a.localeCompare(b, "en")));
    const searched = (await post("/v2/customers/search", {})).body.customers;
    expect(searched.map((c) => c.id)).toEqual(customers.map((c) => c.id));
    const locations = (await getJson(api("/v2/locations"), token)).body.locations;
    const locationNames = locations.map((l) => l.name);
    expect(locationNames).toEqual([...locationNames].sort((a, b) => a.localeCompare(b, "en")));
  });

  it("answers count=true on SearchCustomers with the total of the query", async () => {
    const data = emulator.state.snapshot(USD_MERCHANT);
    const counted = await post("/v2/customers/search", { count: true, limit: 5 });
    expect(counted.body.count).toBe(data.customers.length);
    expect(counted.body.customers).toHaveLength(5);
    expect((await post("/v2/customers/search", { limit: 5 })).body).not.toHaveProperty("count");
  });

  it("ListPaymentRefunds and ListPayments default begin_time to a year ago: older records need an explicit begin_time", async () => {
    const data = emulator.state.snapshot(USD_MERCHANT);
    const yearAgo = emulator.state.now() - 365 * DAY_MS;
    const old = data.refunds.filter((refund) => Date.parse(refund.created_at) < yearAgo);
    expect(old.length).toBeGreaterThan(0);
    const defaulted = await allRefunds("limit=100");
    expect(defaulted).toHaveLength(data.refunds.length - old.length);
    expect((await allRefunds(`${ALL_TIME}&limit=100`)).length).toBe(data.refunds.length);
    const payments = await getJson(api("/v2/payments?limit=100"), token);
    for (const payment of payments.body.payments ?? []) expect(Date.parse(payment.created_at)).toBeGreaterThanOrEqual(yearAgo);
  });

  it("BatchRetrieveOrders returns the orders it finds (≤ 100 ids), ignoring unknown ids", async () => {
    const data = emulator.state.snapshot(USD_MERCHANT);
    const ids = data.orders.slice(0, 3).map((order) => order.id);
    const found = await post("/v2/orders/batch-retrieve", { order_ids: [...ids, "NOPE"] });
    expect(found.status).toBe(200);
    expect(found.body.orders.map((order) => order.id)).toEqual(ids);
    const tooMany = await post("/v2/orders/batch-retrieve", { order_ids: data.orders.slice(0, 101).map((order) => order.id) });
    expect(tooMany.status).toBe(400);
  });

  it("a deleted or merged customer leaves list, search and retrieve; customer.deleted carries the merge", async () => {
    const before = emulator.state.snapshot(USD_MERCHANT).customers;
    const [gone, merged, survivor] = [before[0]!, before[1]!, before[2]!];
    emulator.state.deleteCustomer(USD_MERCHANT, gone.id);
    emulator.state.deleteCustomer(USD_MERCHANT, merged.id, survivor.id);
    const listed = ((await getJson(api("/v2/customers"), token)).body.customers as Json[]).map((c) => c.id);
    expect(listed).not.toContain(gone.id);
    expect(listed).not.toContain(merged.id);
    expect((await getJson(api(`/v2/customers/${gone.id}`), token)).status).toBe(404);
    const event = emulator.state.webhookEvent(USD_MERCHANT, "customer.deleted", merged.id);
    expect(event.data.object).toMatchObject({ customer: { id: merged.id }, event_context: { merge: { from_customer_ids: [merged.id], to_customer_id: survivor.id } } });
    expect(emulator.state.webhookEvent(USD_MERCHANT, "customer.deleted", gone.id).data.object).not.toHaveProperty("event_context");
  });
});
