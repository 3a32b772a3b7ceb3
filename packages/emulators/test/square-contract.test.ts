// Contract: every body the Square emulator serves parses strictly with the official `square`
// SDK's own schemas (unknown fields, enum values Square does not define and missing required
// fields fail), and so does every request body sent here. The emulator records its exchanges
// (recording mode) and the recording is checked as a whole, as the end-to-end tests do.
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkExchange, checkRecordedDir, checkWebhookEvent } from "../src/square/contract/index.js";
import type { RunningSquareEmulator } from "../src/square/index.js";
import { APP, codeFlowTokens, getJson, postJson, start, USD_MERCHANT, type Json, type JsonResponse } from "./square-helpers.js";

const ALL_TIME = "2009-01-01T00:00:00Z";

describe("Square emulator contract (official square SDK schemas)", () => {
  let emulator: RunningSquareEmulator;
  let dir: string;
  let token: string;
  const api = (path: string) => `${emulator.url}${path}`;
  const post = (path: string, body: unknown) => postJson(api(path), body, { authorization: `Bearer ${token}`, "square-version": "2025-10-16" });
  const get = (path: string) => getJson(api(path), token);

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "square-contract-"));
    emulator = await start({ recordDir: dir });
    token = (await codeFlowTokens(emulator)).access_token;
  });
  afterAll(async () => {
    await emulator.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function pages(first: () => Promise<JsonResponse>, next: (cursor: string) => Promise<JsonResponse>): Promise<number> {
    let page = await first();
    let count = 1;
    while (page.body.cursor) {
      page = await next(page.body.cursor);
      count += 1;
    }
    return count;
  }

  it("drives every endpoint the connector uses, including its failures, and every body parses", async () => {
    const snapshot = emulator.state.snapshot(USD_MERCHANT);
    const me = await get("/v2/merchants/me");
    await get(`/v2/locations/${me.body.merchant.main_location_id}`);
    const locationIds = ((await get("/v2/locations")).body.locations as Json[]).map((l) => l.id as string);
    await pages(
      () => get("/v2/customers?limit=100&sort_field=CREATED_AT&sort_order=ASC"),
      (c) => get(`/v2/customers?limit=100&sort_field=CREATED_AT&sort_order=ASC&cursor=${encodeURIComponent(c)}`),
    );
    const filter = { query: { filter: { updated_at: { start_at: "2025-01-01T00:00:00.000Z" } } }, limit: 100, count: true };
    await pages(
      () => post("/v2/customers/search", filter),
      (cursor) => post("/v2/customers/search", { ...filter, cursor }),
    );
    await get(`/v2/customers/${snapshot.customers[0]!.id}`);
    const search = {
      location_ids: locationIds.slice(0, 10),
      limit: 500,
      return_entries: false,
      query: {
        filter: { state_filter: { states: ["OPEN", "COMPLETED", "CANCELED"] }, date_time_filter: { updated_at: { start_at: "2024-01-01T00:00:00.000Z" } } },
        sort: { sort_field: "UPDATED_AT", sort_order: "ASC" },
      },
    };
    await pages(
      () => post("/v2/orders/search", search),
      (cursor) => post("/v2/orders/search", { ...search, cursor }),
    );
    await post("/v2/orders/search", { ...search, location_ids: locationIds.slice(10), return_entries: true });
    const returnOrderIds = snapshot.refunds.flatMap((refund) => (refund.order_id ? [refund.order_id] : []));
    await post("/v2/orders/batch-retrieve", { order_ids: returnOrderIds.slice(0, 100) });
    await get(`/v2/orders/${returnOrderIds[0]!}`);
    const refundsQuery = `begin_time=${encodeURIComponent(ALL_TIME)}&limit=100&sort_field=UPDATED_AT&sort_order=ASC&updated_at_begin_time=${encodeURIComponent("2024-01-01T00:00:00.000Z")}`;
    await pages(
      () => get(`/v2/refunds?${refundsQuery}`),
      (c) => get(`/v2/refunds?${refundsQuery}&cursor=${encodeURIComponent(c)}`),
    );
    await get(`/v2/refunds/${snapshot.refunds[0]!.id}`);
    await get(`/v2/payments?begin_time=${encodeURIComponent(ALL_TIME)}&limit=100`);
    await get(`/v2/payments/${snapshot.payments[0]!.id}`);
    // Failures: not found, stale cursor, rate limit, server error, bad token, bad version.
    await get("/v2/payments/NOPE");
    await get("/v2/customers?cursor=stale");
    emulator.state.faults.inject("rate_limited");
    await get("/v2/locations");
    emulator.state.faults.inject("server_error");
    await get("/v2/locations");
    await getJson(api("/v2/locations"), "not-a-token");
    await fetch(api("/v2/locations"), { headers: { authorization: `Bearer ${token}`, "square-version": "2010-01-01" } });
    await postJson(`${emulator.url}/oauth2/revoke`, { client_id: APP.clientId, access_token: "unknown-token" }, { authorization: `Client ${APP.clientSecret}` });

    const report = checkRecordedDir(dir);
    expect(report.violations).toEqual([]);
    expect(Object.keys(report.operations).sort()).toEqual(
      [
        "BatchRetrieveOrders",
        "GetPayment",
        "GetPaymentRefund",
        "ListCustomers",
        "ListLocations",
        "ListPaymentRefunds",
        "ListPayments",
        "ObtainToken",
        "RetrieveCustomer",
        "RetrieveLocation",
        "RetrieveMerchant",
        "RetrieveOrder",
        "RevokeToken",
        "SearchCustomers",
        "SearchOrders",
      ].sort(),
    );
    expect(report.checked).toBe(readdirSync(dir).length);
  });

  it("every webhook event the emulator sends parses with the SDK's event schemas", () => {
    const data = emulator.state.snapshot(USD_MERCHANT);
    const refund = data.refunds.find((r) => !r.unlinked)!;
    emulator.state.deleteCustomer(USD_MERCHANT, data.customers[1]!.id, data.customers[2]!.id);
    const events = [
      emulator.state.webhookEvent(USD_MERCHANT, "customer.updated", data.customers[0]!.id),
      emulator.state.webhookEvent(USD_MERCHANT, "customer.deleted", data.customers[1]!.id),
      emulator.state.webhookEvent(USD_MERCHANT, "order.created", refund.order_id),
      emulator.state.webhookEvent(USD_MERCHANT, "order.updated", data.orders[0]!.id),
      emulator.state.webhookEvent(USD_MERCHANT, "payment.updated", data.payments[0]!.id),
      emulator.state.webhookEvent(USD_MERCHANT, "refund.created", refund.id),
      emulator.state.webhookEvent(USD_MERCHANT, "refund.updated", refund.id),
      emulator.state.webhookEvent(USD_MERCHANT, "oauth.authorization.revoked"),
    ];
    expect(events.flatMap((event) => checkWebhookEvent(event))).toEqual([]);
  });

  it("the checker itself fails on an unknown field, a wrong enum and a missing required field", () => {
    const base = { method: "GET", path: "/v2/refunds", query: {}, status: 200 };
    const refund = { id: "r1", amount_money: { amount: 1, currency: "USD" }, status: "COMPLETED" };
    expect(checkExchange({ ...base, responseBody: { refunds: [refund] } })).toEqual([]);
    expect(checkExchange({ ...base, responseBody: { refunds: [{ ...refund, sale_order_id: "o" }] } }).join()).toMatch(/Unexpected key "sale_order_id"/);
    expect(checkExchange({ ...base, responseBody: { refunds: [{ id: "r1", status: "COMPLETED" }] } }).join()).toMatch(/Missing required key "amount_money"/);
    const order = {
      id: "o1",
      location_id: "L1",
      refunds: [{ id: "r1", location_id: "L1", tender_id: "t", reason: "x", amount_money: { amount: 1, currency: "USD" }, status: "COMPLETED" }],
    };
    expect(checkExchange({ method: "GET", path: "/v2/orders/o1", query: {}, status: 200, responseBody: { order } }).join()).toMatch(/Expected enum/);
    expect(checkExchange({ ...base, query: { sort_field: "NAME" } }).join()).toMatch(/query sort_field=NAME/);
    expect(checkExchange({ ...base, responseBody: { errors: [{ category: "RATE_LIMITED", code: "RATE_LIMITED" }] } }).join()).toMatch(/Expected enum/);
  });
});
