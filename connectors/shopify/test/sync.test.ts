// Sync routes: pages, incremental state with lookback, crash resume, throttling,
// provider failures, GID idempotency keys; never the token in a log or response.
import { describe, expect, it } from "vitest";
import type { ConnectorTestRuntime, RecordedCall } from "@backfill-io/sdk/testing";
import { POST as customersRoute } from "../src/api/sync/customers.js";
import { POST as ordersRoute } from "../src/api/sync/orders.js";
import { orderRecords, refundRecords } from "../src/lib/streams.js";
import { ACCESS_CANARY, GRAPHQL_URL, connectedRuntime, fixture, scriptPassCount, expectNoLeaksAfterEach } from "./helpers.js";
import type { CustomersPageFixture, OrderRefundsPageFixture, OrdersPageFixture, ThrottledFixture } from "./fixture-shapes.js";

let runtime: ConnectorTestRuntime;
expectNoLeaksAfterEach();

type Body = { query: string; variables: { first: number; after: string | null; query?: string } };
const sent = (call: RecordedCall) => call.body as Body;

describe("POST /sync/customers", () => {
  it("walks several pages, one per invocation, then starts the next pass a day before the high-water mark", async () => {
    runtime = connectedRuntime();
    scriptPassCount(runtime);
    runtime.http.postOnce(GRAPHQL_URL, { body: fixture("customers-page-1.json") });
    runtime.http.postOnce(GRAPHQL_URL, { body: fixture("customers-page-2.json") });

    const first = await runtime.call(customersRoute);
    expect(first.status).toBe(200);
    expect(await first.json()).toMatchObject({ fetched: 2, accepted: 2, rejected: 0, hasMore: true });
    expect(runtime.hasMore("customers")).toBe(true);
    expect(sent(runtime.http.calls[1]!).variables).toMatchObject({ after: null });
    expect(sent(runtime.http.calls[1]!).variables.query).toBeUndefined();
    expect(sent(runtime.http.calls[1]!).query).toContain("sortKey: UPDATED_AT");

    const second = await runtime.call(customersRoute);
    expect(await second.json()).toMatchObject({ fetched: 1, hasMore: false });
    expect(sent(runtime.http.calls[2]!).variables.after).toBe(fixture<CustomersPageFixture>("customers-page-1.json").data.customers.pageInfo!.endCursor);
    expect(runtime.checkpoint("customers")).toMatchObject({ cursor: null, since: null, highWater: "2026-01-06T11:30:00Z" });

    expect(runtime.storedRecords().map((r) => r.idempotencyKey)).toEqual([
      "shopify:customer:gid://shopify/Customer/501",
      "shopify:customer:gid://shopify/Customer/502",
      "shopify:customer:gid://shopify/Customer/503",
    ]);

    // Next run: whole-day search, at least a day of overlap.
    scriptPassCount(runtime);
    runtime.http.postOnce(GRAPHQL_URL, { body: fixture("customers-page-2.json") });
    await runtime.call(customersRoute);
    expect(sent(runtime.http.calls[4]!).variables.query).toBe("updated_at:>='2026-01-05'");
    expect(runtime.records("customer")).toHaveLength(3); // upserted by key, not duplicated
  });

  it("a bucket holding less than a full page: waits for the full page (no HTTP call), then asks for all of it", async () => {
    const low = { costPerNode: 4, throttle: { maximumAvailable: 1000, currentlyAvailable: 42, restoreRate: 50 }, observedAt: Date.now() };
    runtime = connectedRuntime({ checkpoints: { customers: { cursor: null, since: null, highWater: null, cost: low } } });
    scriptPassCount(runtime);
    const waiting = await runtime.call(customersRoute);
    // 100 customers cost 402 points: (402 − 42) / 50 per second.
    expect(waiting.headers.get("retry-after")).toBe("8");
    expect(runtime.http.calls).toHaveLength(1); // the pass's count query, no page

    runtime = connectedRuntime({
      checkpoints: { customers: { cursor: null, since: null, highWater: null, cost: { ...low, throttle: { ...low.throttle, currentlyAvailable: 500 } } } },
    });
    scriptPassCount(runtime);
    runtime.http.postOnce(GRAPHQL_URL, { body: fixture("customers-page-1.json") });
    await runtime.call(customersRoute);
    expect(sent(runtime.http.calls[1]!).variables.first).toBe(100);
    // The cost per node learnt from requestedQueryCost is kept for the next page.
    expect(runtime.checkpoint<{ cost: { costPerNode: number } }>("customers")!.cost.costPerNode).toBeCloseTo((10 - 2) / 100);
  });

  it("waits (retry signal, no HTTP call) when the bucket cannot pay for a full page", async () => {
    runtime = connectedRuntime({
      checkpoints: {
        orders: {
          cursor: "abc",
          since: null,
          highWater: null,
          cost: { costPerNode: 300, throttle: { maximumAvailable: 1000, currentlyAvailable: 2, restoreRate: 50 }, observedAt: Date.now() },
        },
      },
    });
    const response = await runtime.call(ordersRoute);
    expect(response.status).toBe(429);
    // 3 orders at 300 cost 902 points: (902 − 2) / 50 per second.
    expect(response.headers.get("retry-after")).toBe("18");
    expect(runtime.http.calls).toHaveLength(0);
    expect(runtime.checkpoint("orders")).toMatchObject({ cursor: "abc" }); // nothing committed
  });
});

describe("paging at the cost bucket's pace", () => {
  it("a page that leaves less than a full page in the bucket asks the host to pause until a full page is paid for", async () => {
    runtime = connectedRuntime({ checkpoints: { orders: { cursor: null, since: null, highWater: "2026-01-05T00:10:00Z" } } });
    scriptPassCount(runtime);
    const page = fixture<OrdersPageFixture>("orders-page-1.json");
    // Standard plan: 100 points a second; the page left 200 of the 992 a full page of orders costs.
    page.extensions.cost = { requestedQueryCost: 992, actualQueryCost: 400, throttleStatus: { maximumAvailable: 2000, currentlyAvailable: 200, restoreRate: 100 } };
    runtime.http.postOnce(GRAPHQL_URL, { body: page });
    const response = await runtime.call(ordersRoute);
    expect(response.status).toBe(200);
    expect(runtime.hasMore("orders")).toBe(true);
    expect(runtime.pauseSeconds("orders")).toBe(8);
  });
});

describe("POST /sync/orders", () => {
  it("ingests sales receipts keyed by GID and resumes a pass from the last committed cursor", async () => {
    runtime = connectedRuntime({ checkpoints: { orders: { cursor: null, since: null, highWater: "2026-01-05T00:10:00Z" } } });
    scriptPassCount(runtime);
    runtime.http.postOnce(GRAPHQL_URL, { body: fixture("orders-page-1.json") });
    const first = await runtime.call(ordersRoute);
    expect(first.status).toBe(200);
    // Two orders, and their three refunds read in the same page.
    expect(await first.json()).toMatchObject({ fetched: 2, accepted: 5, rejected: 0, errors: [], skipped: [], hasMore: true });
    // Incremental: high-water minus five minutes.
    expect(sent(runtime.http.calls[1]!).variables.query).toBe("updated_at:>='2026-01-05T00:05:00Z'");
    expect(runtime.checkpoint("orders")).toMatchObject({ cursor: "eyJsYXN0X2lkIjoxMDAyfQ==", since: "2026-01-05T00:05:00.000Z", highWater: "2026-01-05T12:30:00Z" });

    // The next invocation fails (Shopify 500): nothing new is committed ...
    runtime.http.postOnce(GRAPHQL_URL, { status: 500, body: { errors: "Internal Server Error" } });
    expect((await runtime.call(ordersRoute)).status).toBe(502);
    // ... so the retry resumes at the same cursor, with the same search.
    runtime.http.postOnce(GRAPHQL_URL, { body: fixture("orders-page-2.json") });
    await runtime.call(ordersRoute);
    const resumed = sent(runtime.http.calls[3]!).variables;
    expect(resumed).toMatchObject({ after: "eyJsYXN0X2lkIjoxMDAyfQ==", query: "updated_at:>='2026-01-05T00:05:00Z'" });
    expect(runtime.hasMore("orders")).toBe(false);
    expect(runtime.checkpoint("orders")).toMatchObject({ cursor: null, since: null, highWater: "2026-01-05T13:00:00Z" });

    expect(
      runtime
        .storedRecords()
        .filter((r) => r.kind === "sales_receipt")
        .map((r) => r.idempotencyKey),
    ).toEqual(["shopify:order:gid://shopify/Order/1001", "shopify:order:gid://shopify/Order/1002", "shopify:order:gid://shopify/Order/1003"]);
    expect(runtime.records("sales_receipt").map((r) => [r.currency, r.total])).toEqual([
      ["USD", "88.89"],
      ["JPY", "3200"],
      ["EUR", "44.90"],
    ]);
  });

  it("THROTTLED: the retry signal with the time the bucket needs; nothing committed", async () => {
    runtime = connectedRuntime();
    runtime.http.postOnce(GRAPHQL_URL, { body: fixture("throttled.json") });
    const response = await runtime.call(ordersRoute);
    expect(response.status).toBe(429);
    // (752 requested − 152 available) / 100 per second
    expect(response.headers.get("retry-after")).toBe("6");
    expect(await response.json()).toMatchObject({ error: { code: "retry_after", details: { retryAfterSeconds: 6, stream: "orders" } } });
    expect(runtime.checkpoint("orders")).toBeUndefined();
  });

  for (const status of [429, 503]) {
    it(`HTTP ${status} with Retry-After: the retry signal with Shopify's wait`, async () => {
      runtime = connectedRuntime();
      runtime.http.postOnce(GRAPHQL_URL, {
        status,
        headers: { "Retry-After": "4" },
        body: { errors: "Exceeded 2 calls per second for api client. Reduce request rates to resume uninterrupted service." },
      });
      const response = await runtime.call(ordersRoute);
      expect(response.status).toBe(429);
      expect(response.headers.get("retry-after")).toBe("4");
    });
  }

  it("provider auth failure: Shopify's 401 → reauth_required (revoked), 403 → missing_scopes; no records", async () => {
    runtime = connectedRuntime();
    runtime.http.postOnce(GRAPHQL_URL, { status: 401, body: { errors: "[API] Invalid API key or access token (unrecognized login or wrong password)" } });
    const response = await runtime.call(ordersRoute);
    expect(response.status).toBe(401);
    expect(await response.json()).toMatchObject({ error: { code: "reauth_required", details: { reason: "revoked" } } });
    runtime.http.postOnce(GRAPHQL_URL, { status: 403, body: { errors: [{ message: "Access denied", extensions: { code: "ACCESS_DENIED" } }] } });
    const denied = await runtime.call(ordersRoute);
    expect(denied.status).toBe(401);
    expect(await denied.json()).toMatchObject({ error: { code: "reauth_required", details: { reason: "missing_scopes" } } });
    expect(runtime.storedRecords()).toHaveLength(0);
  });

  it("missing scope / refresh failure: 401 reauth_required before any request", async () => {
    runtime = connectedRuntime({ oauth: { scopes: ["read_customers"] } });
    expect((await runtime.call(ordersRoute)).status).toBe(401);
    runtime.restore();
    runtime = connectedRuntime({ oauth: { expiresAt: Date.now() - 1000, refresh: { error: "invalid_grant" } } });
    const response = await runtime.call(ordersRoute);
    expect(await response.json()).toMatchObject({ error: { code: "reauth_required", details: { reason: "refresh_failed" } } });
    expect(runtime.http.calls).toHaveLength(0);
  });

  it("the host attaches the token: X-Shopify-Access-Token, no Authorization header", async () => {
    runtime = connectedRuntime();
    runtime.http.postOnce(GRAPHQL_URL, { body: fixture("orders-page-1.json") });
    await runtime.call(ordersRoute);
    const call = runtime.http.calls[0]!;
    expect(call.opts.headers["X-Shopify-Access-Token"]).toBe(ACCESS_CANARY);
    expect(call.opts.headers.Authorization).toBeUndefined();
    expect(call.opts.auth).toMatchObject({ oauth: { header: "X-Shopify-Access-Token", scheme: null, minTtlSeconds: 600 } });
  });

  it("an order with more line items than a page reads is completed by follow-up reads, not skipped", async () => {
    runtime = connectedRuntime();
    scriptPassCount(runtime);
    const whole = fixture<OrdersPageFixture>("orders-page-1.json");
    const page = fixture<OrdersPageFixture>("orders-page-1.json");
    const lines = whole.data.orders.nodes[0]!.lineItems.nodes;
    page.data.orders.nodes[0]!.lineItems = { pageInfo: { hasNextPage: true, endCursor: "li-1" }, nodes: lines.slice(0, 1) };
    runtime.http.postOnce(GRAPHQL_URL, { body: page });
    runtime.http.postOnce(GRAPHQL_URL, { body: { data: { order: { lineItems: { pageInfo: { hasNextPage: true, endCursor: "li-2" }, nodes: lines.slice(1, 2) } } } } });
    runtime.http.postOnce(GRAPHQL_URL, { body: { data: { order: { lineItems: { pageInfo: { hasNextPage: false, endCursor: "li-3" }, nodes: lines.slice(2) } } } } });
    const response = await runtime.call(ordersRoute);
    expect(await response.json()).toMatchObject({ fetched: 2, accepted: 5, skipped: [], followUpReads: 2, hasMore: true });
    const followUps = runtime.http.calls.slice(2).map((c) => sent(c) as unknown as { query: string; variables: Record<string, unknown> });
    expect(followUps.map((f) => f.variables)).toEqual([
      { id: "gid://shopify/Order/1001", first: 100, after: "li-1" },
      { id: "gid://shopify/Order/1001", first: 100, after: "li-2" },
    ]);
    expect(followUps[0]!.query).toContain("lineItems(first: $first, after: $after)");
    for (const c of runtime.http.calls) expect(c.opts.headers["X-Shopify-Access-Token"]).toBe(ACCESS_CANARY);
    // The same receipt as from the order read in one piece.
    expect(runtime.records("sales_receipt")[0]).toEqual(orderRecords(whole.data.orders.nodes[0]!)[0]!.payload);
    // The page cursor still advances to the end of the page.
    expect(runtime.checkpoint("orders")).toMatchObject({ cursor: "eyJsYXN0X2lkIjoxMDAyfQ==" });
  });

  it("a refund with more lines than a page reads: its quantities are read by the refund's id", async () => {
    runtime = connectedRuntime();
    scriptPassCount(runtime);
    const page = fixture<OrdersPageFixture>("orders-page-1.json");
    const refund = page.data.orders.nodes[0]!.refunds[0]!;
    const all = refund.refundLineItems.nodes;
    refund.refundLineItems = { pageInfo: { hasNextPage: true, endCursor: "r-1" }, nodes: [] };
    runtime.http.postOnce(GRAPHQL_URL, { body: page });
    runtime.http.postOnce(GRAPHQL_URL, { body: { data: { refund: { refundLineItems: { pageInfo: { hasNextPage: false, endCursor: null }, nodes: all } } } } });
    await runtime.call(ordersRoute);
    expect(sent(runtime.http.calls[2]!).variables).toEqual({ id: refund.id, first: 100, after: "r-1" });
    expect(runtime.records("sales_receipt")[0]!.total).toBe("88.89");
  });

  it("a follow-up throttled after the first order: the page commits up to the last complete order's cursor", async () => {
    runtime = connectedRuntime();
    scriptPassCount(runtime);
    const page = fixture<OrdersPageFixture>("orders-page-1.json");
    page.data.orders.edges = [{ cursor: "after-1001" }, { cursor: "after-1002" }];
    page.data.orders.nodes[1]!.lineItems.pageInfo = { hasNextPage: true, endCursor: "li-1" };
    runtime.http.postOnce(GRAPHQL_URL, { body: page });
    runtime.http.postOnce(GRAPHQL_URL, { body: fixture("throttled.json") });
    const response = await runtime.call(ordersRoute);
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ fetched: 1, accepted: 3, hasMore: true });
    expect(runtime.storedRecords().map((r) => r.idempotencyKey)).toEqual([
      "shopify:order:gid://shopify/Order/1001",
      "shopify:refund:gid://shopify/Refund/801",
      "shopify:refund:gid://shopify/Refund/802",
    ]);
    expect(runtime.checkpoint("orders")).toMatchObject({ cursor: "after-1001", cost: { throttle: { currentlyAvailable: 152 } } });
  });

  it("a follow-up of the page's first order throttled: wait for a full bucket, nothing committed", async () => {
    runtime = connectedRuntime();
    scriptPassCount(runtime);
    const page = fixture<OrdersPageFixture>("orders-page-1.json");
    page.data.orders.edges = [{ cursor: "after-1001" }, { cursor: "after-1002" }];
    page.data.orders.nodes[0]!.lineItems.pageInfo = { hasNextPage: true, endCursor: "li-1" };
    runtime.http.postOnce(GRAPHQL_URL, { body: page });
    runtime.http.postOnce(GRAPHQL_URL, { body: fixture("throttled.json") });
    const response = await runtime.call(ordersRoute);
    expect(response.status).toBe(429);
    // (maximumAvailable − currentlyAvailable) / restoreRate, rounded up
    const { maximumAvailable, currentlyAvailable, restoreRate } = fixture<ThrottledFixture>("throttled.json").extensions.cost.throttleStatus;
    expect(response.headers.get("retry-after")).toBe(String(Math.ceil((maximumAvailable - currentlyAvailable) / restoreRate)));
    expect(runtime.checkpoint("orders")).toBeUndefined();
    expect(runtime.storedRecords()).toHaveLength(0);
  });

  it("an order it cannot map is reported and skipped; the page still commits", async () => {
    runtime = connectedRuntime();
    scriptPassCount(runtime);
    const page = fixture<OrdersPageFixture>("orders-page-1.json");
    page.data.orders.nodes[0]!.lineItems.nodes[0]!.originalUnitPriceSet.shopMoney.amount = "25.001";
    runtime.http.postOnce(GRAPHQL_URL, { body: page });
    const response = await runtime.call(ordersRoute);
    // Order 1002 and its refund; 1001 is skipped with its refunds (they are mapped with their order).
    expect(await response.json()).toMatchObject({ accepted: 2, skipped: [{ id: "gid://shopify/Order/1001" }] });
    expect(runtime.logs.some((l) => l.level === "warn" && l.message === "record not mapped")).toBe(true);
  });
});

describe("refunds, read in the orders pass", () => {
  it("each order's refunds become refund receipts in the same page: partial and multiple per order, linked to the order receipt", async () => {
    runtime = connectedRuntime();
    scriptPassCount(runtime);
    runtime.http.postOnce(GRAPHQL_URL, { body: fixture("orders-page-1.json") });
    const response = await runtime.call(ordersRoute);
    expect(await response.json()).toMatchObject({ fetched: 2, accepted: 5, rejected: 0, followUpReads: 0 });
    // One page query: no second walk over the orders for their refunds.
    expect(runtime.http.calls).toHaveLength(2);
    expect(sent(runtime.http.calls[1]!).query).toContain("refundShippingLines");
    expect(
      runtime
        .storedRecords()
        .filter((r) => r.kind === "refund_receipt")
        .map((r) => [r.idempotencyKey, r.payload.receipt_id]),
    ).toEqual([
      ["shopify:refund:gid://shopify/Refund/801", "gid://shopify/Order/1001"],
      ["shopify:refund:gid://shopify/Refund/802", "gid://shopify/Order/1001"],
      ["shopify:refund:gid://shopify/Refund/803", "gid://shopify/Order/1002"],
    ]);
    // The same receipts the refunds stream wrote before, from the same refunds.
    const refundsPage = fixture<OrderRefundsPageFixture>("order-refunds-page.json").data.orders.nodes;
    expect(runtime.records("refund_receipt")).toEqual(
      refundsPage
        .slice(0, 2)
        .flatMap((o) => refundRecords(o))
        .map((r) => r.payload),
    );
  });

  it("a refund with more lines, shipping lines or adjustments than a page reads is completed by its id", async () => {
    runtime = connectedRuntime();
    scriptPassCount(runtime);
    const page = fixture<OrdersPageFixture>("orders-page-1.json");
    const refund = page.data.orders.nodes[0]!.refunds[0]!;
    const lines = refund.refundLineItems.nodes;
    const shipping = refund.refundShippingLines.nodes;
    refund.refundLineItems = { pageInfo: { hasNextPage: true, endCursor: "rli-1" }, nodes: [] };
    refund.refundShippingLines = { pageInfo: { hasNextPage: true, endCursor: "rsl-1" }, nodes: [] };
    runtime.http.postOnce(GRAPHQL_URL, { body: page });
    runtime.http.postOnce(GRAPHQL_URL, { body: { data: { refund: { refundLineItems: { pageInfo: { hasNextPage: false, endCursor: null }, nodes: lines } } } } });
    runtime.http.postOnce(GRAPHQL_URL, { body: { data: { refund: { refundShippingLines: { pageInfo: { hasNextPage: false, endCursor: null }, nodes: shipping } } } } });
    const response = await runtime.call(ordersRoute);
    expect(await response.json()).toMatchObject({ accepted: 5, skipped: [], followUpReads: 2 });
    expect(sent(runtime.http.calls[2]!).variables).toEqual({ id: refund.id, first: 100, after: "rli-1" });
    expect(sent(runtime.http.calls[2]!).query).toContain("refund(id: $id)");
    // The same receipts as from the refund read in one piece.
    const whole = fixture<OrdersPageFixture>("orders-page-1.json").data.orders.nodes[0]!;
    expect(runtime.records("refund_receipt")[0]).toEqual(refundRecords(whole)[0]!.payload);
    expect(runtime.records("sales_receipt")[0]).toEqual(orderRecords(whole)[0]!.payload);
  });

  it("an order with MAX_REFUNDS refunds or more is re-read whole (the list has no cursor)", async () => {
    runtime = connectedRuntime();
    scriptPassCount(runtime);
    const page = fixture<OrdersPageFixture>("orders-page-1.json");
    const order = page.data.orders.nodes[0]!;
    const refunds = order.refunds;
    order.refunds = Array.from({ length: 10 }, () => refunds[0]!);
    runtime.http.postOnce(GRAPHQL_URL, { body: page });
    runtime.http.postOnce(GRAPHQL_URL, { body: { data: { order: { refunds } } } });
    await runtime.call(ordersRoute);
    expect(sent(runtime.http.calls[2]!).variables).toEqual({ id: order.id });
    expect(runtime.records("refund_receipt").map((r) => r.refund_id)).toEqual(["gid://shopify/Refund/801", "gid://shopify/Refund/802", "gid://shopify/Refund/803"]);
  });
});
