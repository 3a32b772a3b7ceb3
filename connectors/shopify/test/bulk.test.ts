// Bulk passes of the customers and orders streams, against scripted Admin answers and a
// scripted storage origin: the mode chosen by the count, jobs started per window, polling,
// the download without the token, slices of whole records, resume from the committed byte
// offset, slots taken by another app, a job that runs too long, a failed job, and the same
// records as the paged path.
import { describe, expect, it } from "vitest";
import { BackfillError } from "@backfill-io/sdk";
import type { ConnectorTestRuntime } from "@backfill-io/sdk/testing";
import { ORDERS_REFUNDS_BATCH } from "../src/lib/documents.js";
import { POST as ordersRoute } from "../src/api/sync/orders.js";
import { POST as customersRoute } from "../src/api/sync/customers.js";
import { orderRecords, customerRecords, BULK_MIN_ORDERS } from "../src/lib/streams.js";
import { groupLines } from "../src/lib/bulk/jsonl-groups.js";
import { halve, nextWindow, windowSearch } from "../src/lib/bulk/windows.js";
import { ACCESS_CANARY, GRAPHQL_URL, REFRESH_CANARY, connectedRuntime, expectNoLeaksAfterEach, fixture, scriptPassCount } from "./helpers.js";

expectNoLeaksAfterEach([ACCESS_CANARY, REFRESH_CANARY]);

const JOB = "gid://shopify/BulkOperation/720918";
const RESULT_URL = "https://storage.googleapis.com/shopify-tagging-bulk-ops/720918/bulk-720918.jsonl?X-Goog-Signature=abc.1893456000";

type Node = Record<string, unknown> & {
  id: string;
  lineItems: { nodes: Record<string, unknown>[] };
  shippingLines: { nodes: Record<string, unknown>[] };
  refunds: { id: string }[];
};

/** The JSONL Shopify writes for these order nodes: each order, then its line items and shipping lines. */
function ordersJsonl(nodes: Node[]): string {
  const lines: string[] = [];
  for (const { lineItems, shippingLines, refunds, ...order } of nodes) {
    lines.push(JSON.stringify({ ...order, refunds: refunds.map((r) => ({ id: r.id })) }));
    for (const li of lineItems.nodes) lines.push(JSON.stringify({ __typename: "LineItem", ...li, __parentId: order.id }));
    for (const sl of shippingLines.nodes) lines.push(JSON.stringify({ __typename: "ShippingLine", ...sl, __parentId: order.id }));
  }
  return lines.map((l) => `${l}\n`).join("");
}

const orderNodes = () => fixture<{ data: { orders: { nodes: Node[] } } }>("orders-page-1.json").data.orders.nodes;
const sent = (call: { body: unknown }) => call.body as { query: string; variables: Record<string, unknown> };

function status(fields: Record<string, unknown>) {
  return { body: { data: { bulkOperation: { id: JOB, errorCode: null, objectCount: "0", rootObjectCount: "0", fileSize: null, url: null, partialDataUrl: null, ...fields } } } };
}

const RUN_OK = { body: { data: { bulkOperationRunQuery: { bulkOperation: { id: JOB, status: "CREATED" }, userErrors: [] } } } };

/** Plans a large pass (count, then the oldest record: one open window), committed before any job. */
async function planned(route: typeof ordersRoute, stream: "orders" | "customers", runtime = connectedRuntime()): Promise<ConnectorTestRuntime> {
  scriptPassCount(runtime, 50_000);
  runtime.http.postOnce(GRAPHQL_URL, { body: { data: { [stream]: { nodes: [{ updatedAt: new Date(Date.now() - 5 * 86_400_000).toISOString() }] } } } });
  expect(await (await runtime.call(route)).json()).toMatchObject({ mode: "bulk", step: "planned", hasMore: true });
  return runtime;
}

/** A large orders pass whose one job has started (its id committed at once). */
async function bulkRuntime(): Promise<ConnectorTestRuntime> {
  const runtime = await planned(ordersRoute, "orders");
  runtime.http.postOnce(GRAPHQL_URL, RUN_OK);
  expect(await (await runtime.call(ordersRoute)).json()).toMatchObject({ step: "started", jobId: JOB, hasMore: true });
  return runtime;
}

/** Scripts the answer orders with refunds need (their refunds, read paged in one batch). */
function scriptRefunds(runtime: ConnectorTestRuntime, ...nodes: Node[]) {
  runtime.http.postOnce(GRAPHQL_URL, { body: { data: { nodes: nodes.map((node) => ({ id: node.id, refunds: node.refunds })) } } });
}

describe("bulk or paged", () => {
  it(`a pass of fewer than ${BULK_MIN_ORDERS} orders pages; the count query carries the pass's search`, async () => {
    const runtime = connectedRuntime({ checkpoints: { orders: { cursor: null, since: null, highWater: "2026-01-05T00:10:00Z" } } });
    scriptPassCount(runtime, BULK_MIN_ORDERS - 1);
    runtime.http.postOnce(GRAPHQL_URL, { body: fixture("orders-page-1.json") });
    const response = await runtime.call(ordersRoute);
    expect(await response.json()).toMatchObject({ fetched: 2 });
    expect(sent(runtime.http.calls[0]!).variables).toEqual({ query: "updated_at:>='2026-01-05T00:05:00Z'" });
    expect(sent(runtime.http.calls[1]!).query).toContain("BackfillOrders");
  });
});

describe("an orders bulk pass", () => {
  it("starts a job, polls, downloads without the token, reads whole records; the same receipts as the paged path", async () => {
    const runtime = await bulkRuntime();
    runtime.http.postOnce(GRAPHQL_URL, status({ status: "RUNNING", objectCount: "3" }));
    const first = await runtime.call(ordersRoute);
    expect(await first.json()).toMatchObject({ mode: "bulk", step: "running", status: "RUNNING", objectCount: 3, hasMore: true });
    expect(runtime.pauseSeconds("orders")).toBe(1);
    const run = sent(runtime.http.calls[2]!);
    expect(runtime.http.calls).toHaveLength(4);
    expect(run.query).toContain("bulkOperationRunQuery");
    // The bulk query reads the whole window: a search, no pagination arguments.
    expect(run.variables.query).toMatch(/orders\(query: "updated_at:>='\d{4}-\d{2}-\d{2}T00:00:00Z'", sortKey: UPDATED_AT\)/);
    expect(run.variables.query).not.toMatch(/first:/);

    const nodes = orderNodes();
    const jsonl = ordersJsonl(nodes);
    runtime.http.postOnce(GRAPHQL_URL, status({ status: "COMPLETED", objectCount: "7", url: RESULT_URL, fileSize: String(jsonl.length) }));
    runtime.http.getOnce(RESULT_URL, { body: jsonl, headers: { "content-type": "application/jsonl" } });
    const second = await runtime.call(ordersRoute);
    expect(await second.json()).toMatchObject({ step: "downloaded", hasMore: true });
    const download = runtime.http.calls.at(-1)!;
    expect(download.method).toBe("GET");
    // Attack: the token must never reach the storage host (the signed URL is the credential).
    expect(JSON.stringify(download.opts.headers ?? {})).not.toContain(ACCESS_CANARY);
    expect(Object.keys(download.opts.headers ?? {}).map((h) => h.toLowerCase())).not.toContain("x-shopify-access-token");

    scriptRefunds(runtime, nodes[0]!, nodes[1]!);
    const third = await runtime.call(ordersRoute);
    expect(await third.json()).toMatchObject({ step: "read", fetched: 2, accepted: 5, eof: true, hasMore: false });
    // Only orders with refunds read them, in one batched query for the slice.
    expect(sent(runtime.http.calls.at(-1)!).variables).toEqual({ ids: ["gid://shopify/Order/1001", "gid://shopify/Order/1002"] });
    // The paged path's record set: each order's sales receipt and refund receipts.
    expect(runtime.records("sales_receipt")).toEqual(nodes.map((n) => orderRecords(n as never)[0]!.payload));
    expect(runtime.records("refund_receipt")).toEqual(nodes.flatMap((n) => orderRecords(n as never).slice(1)).map((r) => r.payload));
    // The pass is over: the next starts from its high-water mark, the file is gone.
    expect(runtime.checkpoint("orders")).toEqual({ cursor: null, since: null, highWater: "2026-01-05T12:30:00Z" });
    expect(runtime.files.ids("orders")).toEqual([]);
  });

  it("a crash mid-file resumes at the committed byte offset: nothing read twice, nothing skipped", async () => {
    const runtime = await bulkRuntime();
    const nodes = orderNodes();
    const jsonl = ordersJsonl(nodes);
    runtime.http.postOnce(GRAPHQL_URL, status({ status: "COMPLETED", objectCount: "7", url: RESULT_URL }));
    runtime.http.getOnce(RESULT_URL, { body: jsonl });
    await runtime.call(ordersRoute);
    // The first slice's record needs a follow-up that fails: the invocation fails, nothing commits.
    runtime.http.postOnce(GRAPHQL_URL, { status: 500, body: { errors: "Internal Server Error" } });
    expect((await runtime.call(ordersRoute)).status).toBe(502);
    const state = runtime.checkpoint<{ bulk: { windows: { fileId: string; offset: number }[] } }>("orders")!;
    expect(state.bulk.windows[0]).toMatchObject({ offset: 0 });
    expect(runtime.records("sales_receipt")).toHaveLength(0);
    // The retry reads the same file from the same offset.
    scriptRefunds(runtime, nodes[0]!, nodes[1]!);
    expect(await (await runtime.call(ordersRoute)).json()).toMatchObject({ step: "read", fetched: 2, eof: true });
    expect(runtime.records("sales_receipt")).toHaveLength(2);
  });

  it("a refunds follow-up that times out keeps the slice's progress: the orders completed before it commit, the rest is read again", async () => {
    const runtime = await bulkRuntime();
    // Twelve orders with refunds: two refund batches (ORDERS_REFUNDS_BATCH is 11).
    const base = orderNodes()[0]!;
    const nodes = Array.from({ length: 12 }, (_, i) => ({ ...base, id: `gid://shopify/Order/${2000 + i}`, lineItems: { nodes: [] }, shippingLines: { nodes: [] } }));
    runtime.http.postOnce(GRAPHQL_URL, status({ status: "COMPLETED", objectCount: "12", url: RESULT_URL }));
    runtime.http.getOnce(RESULT_URL, { body: ordersJsonl(nodes) });
    await runtime.call(ordersRoute);
    scriptRefunds(runtime, ...nodes.slice(0, ORDERS_REFUNDS_BATCH));
    runtime.http.postOnce(GRAPHQL_URL, () => {
      throw new BackfillError("timeout", "Http.post: no answer within 30000 ms");
    });
    const read = await runtime.call(ordersRoute);
    expect(read.status).toBe(200);
    expect(await read.json()).toMatchObject({ step: "read", fetched: ORDERS_REFUNDS_BATCH, eof: false, hasMore: true });
    expect(runtime.records("sales_receipt")).toHaveLength(ORDERS_REFUNDS_BATCH);
    scriptRefunds(runtime, nodes[ORDERS_REFUNDS_BATCH]!);
    expect(await (await runtime.call(ordersRoute)).json()).toMatchObject({ step: "read", fetched: 1, eof: true, hasMore: false });
    expect(runtime.records("sales_receipt")).toHaveLength(12);
  });

  it("slices end at whole records: a record cut by the slice is read again from its first line", () => {
    const jsonl = ordersJsonl(orderNodes());
    const lines = jsonl.trimEnd().split("\n");
    const first = groupLines(lines.slice(0, 3), 0, false);
    expect(first.records).toHaveLength(0);
    expect(first.resumeOffset).toBe(0);
    const two = groupLines(lines.slice(0, 6), 0, false);
    expect(two.records.map((r) => r.parent.id)).toEqual(["gid://shopify/Order/1001"]);
    expect(two.resumeOffset).toBe(Buffer.byteLength(lines.slice(0, 5).join("\n")) + 1);
    const rest = groupLines(lines.slice(5), two.resumeOffset, true);
    expect(rest.records.map((r) => r.parent.id)).toEqual(["gid://shopify/Order/1002"]);
    expect(rest.resumeOffset).toBe(Buffer.byteLength(jsonl));
    // Attack: a child line that does not follow its parent is refused, not joined to the wrong order.
    expect(() => groupLines([lines[0]!, JSON.stringify({ id: "x", __parentId: "gid://shopify/Order/9" })], 0, true)).toThrow(/does not follow its parent/);
  });

  it("the shop's slots taken by another app's jobs: the pass waits (pause), then starts its job", async () => {
    const runtime = await planned(ordersRoute, "orders");
    runtime.http.postOnce(GRAPHQL_URL, {
      body: {
        data: {
          bulkOperationRunQuery: {
            bulkOperation: null,
            userErrors: [{ field: null, message: "A bulk query operation for this app and shop is already in progress.", code: "OPERATION_IN_PROGRESS" }],
          },
        },
      },
    });
    expect(await (await runtime.call(ordersRoute)).json()).toMatchObject({ step: "waiting_for_slot", hasMore: true });
    expect(runtime.pauseSeconds("orders")).toBe(10);
    runtime.http.postOnce(GRAPHQL_URL, RUN_OK);
    expect(await (await runtime.call(ordersRoute)).json()).toMatchObject({ step: "started", jobId: JOB });
    runtime.http.postOnce(GRAPHQL_URL, status({ status: "RUNNING" }));
    expect(await (await runtime.call(ordersRoute)).json()).toMatchObject({ step: "running", jobId: JOB });
  });

  it("a job that failed part-way: its partial file is read (whole records only), then only the rest of the window runs", async () => {
    const runtime = await bulkRuntime();
    const nodes = orderNodes();
    const jsonl = ordersJsonl(nodes);
    const lines = jsonl.trimEnd().split("\n");
    // Shopify stopped inside the second order: its line and one child made it into the file.
    const second = lines.findIndex((l) => l.includes('"id":"gid://shopify/Order/1002"'));
    const partial = lines
      .slice(0, second + 2)
      .map((l) => `${l}\n`)
      .join("");
    const PARTIAL_URL = RESULT_URL.replace("bulk-720918.jsonl", "bulk-720918-partial.jsonl");
    runtime.http.postOnce(GRAPHQL_URL, status({ status: "FAILED", errorCode: "INTERNAL_SERVER_ERROR", objectCount: String(second + 2), partialDataUrl: PARTIAL_URL }));
    runtime.http.getOnce(PARTIAL_URL, { body: partial });
    expect(await (await runtime.call(ordersRoute)).json()).toMatchObject({ step: "downloaded", status: "FAILED", partial: true, hasMore: true });
    const download = runtime.http.calls.at(-1)!;
    expect(download.url).toBe(PARTIAL_URL);
    expect(JSON.stringify(download.opts.headers ?? {})).not.toContain(ACCESS_CANARY);

    scriptRefunds(runtime, nodes[0]!);
    expect(await (await runtime.call(ordersRoute)).json()).toMatchObject({ step: "read", fetched: 1, eof: true, partial: true, hasMore: true });
    // The complete record is kept; the cut one is not mapped from part of its lines.
    expect(runtime.records("sales_receipt")).toEqual([orderRecords(nodes[0] as never)[0]!.payload]);
    const state = runtime.checkpoint<{ bulk: { windows: Record<string, unknown>[] } }>("orders")!;
    // The rest of the window, from the last complete record's updatedAt (inclusive: keyed records are not duplicated).
    expect(state.bulk.windows).toEqual([{ from: nodes[0]!.updatedAt, to: null }]);
    expect(runtime.files.ids("orders")).toEqual([]);

    runtime.http.postOnce(GRAPHQL_URL, { body: { data: { bulkOperationRunQuery: { bulkOperation: { id: `${JOB}1`, status: "CREATED" }, userErrors: [] } } } });
    expect(await (await runtime.call(ordersRoute)).json()).toMatchObject({ step: "started", jobId: `${JOB}1` });
    expect(sent(runtime.http.calls.at(-1)!).variables.query).toContain(`updated_at:>='${String(nodes[0]!.updatedAt)}'`);
    const rest = ordersJsonl(nodes.filter((n) => String(n.updatedAt) >= String(nodes[0]!.updatedAt)));
    runtime.http.postOnce(GRAPHQL_URL, {
      body: {
        data: {
          bulkOperation: { id: `${JOB}1`, status: "COMPLETED", errorCode: null, objectCount: "7", rootObjectCount: "2", fileSize: null, url: RESULT_URL, partialDataUrl: null },
        },
      },
    });
    runtime.http.getOnce(RESULT_URL, { body: rest });
    expect(await (await runtime.call(ordersRoute)).json()).toMatchObject({ step: "downloaded" });
    scriptRefunds(runtime, nodes[0]!, nodes[1]!);
    expect(await (await runtime.call(ordersRoute)).json()).toMatchObject({ step: "read", eof: true, hasMore: false });
    // Exactly the paged path's record set: each order once.
    expect(runtime.records("sales_receipt")).toEqual(nodes.map((n) => orderRecords(n as never)[0]!.payload));
  });

  it("a partial file out of updated_at order cannot bound the rest: its records are kept and the whole window runs again", async () => {
    const runtime = await bulkRuntime();
    const nodes = orderNodes().reverse();
    const jsonl = ordersJsonl(nodes);
    const PARTIAL_URL = RESULT_URL.replace("bulk-720918.jsonl", "bulk-720918-partial.jsonl");
    runtime.http.postOnce(GRAPHQL_URL, status({ status: "FAILED", errorCode: "INTERNAL_SERVER_ERROR", objectCount: "7", partialDataUrl: PARTIAL_URL }));
    runtime.http.getOnce(PARTIAL_URL, { body: `${jsonl}{"id":"gid://shopify/Order/1003","updatedAt":"2026-01-06T00:00:00Z"}\n` });
    await runtime.call(ordersRoute);
    scriptRefunds(runtime, nodes[0]!, nodes[1]!);
    expect(await (await runtime.call(ordersRoute)).json()).toMatchObject({ step: "read", eof: true, partial: true });
    const state = runtime.checkpoint<{ bulk: { windows: Record<string, unknown>[] } }>("orders")!;
    expect(state.bulk.windows).toHaveLength(1);
    expect(state.bulk.windows[0]!.from).toMatch(/T00:00:00Z$/);
    expect(state.bulk.windows[0]).not.toHaveProperty("jobId");
  });

  it("a failed job without partial data runs its window again", async () => {
    const runtime = await bulkRuntime();
    runtime.http.postOnce(GRAPHQL_URL, status({ status: "FAILED", errorCode: "INTERNAL_SERVER_ERROR", objectCount: "0" }));
    expect(await (await runtime.call(ordersRoute)).json()).toMatchObject({ step: "restart", status: "FAILED" });
  });

  it("a job running past an hour is cancelled and its window halved", async () => {
    const from = "2026-06-01T00:00:00Z";
    const runtime = connectedRuntime({
      checkpoints: {
        orders: {
          cursor: null,
          since: null,
          highWater: null,
          bulk: { days: 30, nextFrom: null, windows: [{ from, to: "2026-07-01T00:00:00Z", jobId: JOB, startedAt: Date.now() - 2 * 3600_000 }] },
        },
      },
    });
    runtime.http.postOnce(GRAPHQL_URL, status({ status: "RUNNING", objectCount: "12345" }));
    runtime.http.postOnce(GRAPHQL_URL, { body: { data: { bulkOperationCancel: { bulkOperation: { id: JOB, status: "CANCELING" }, userErrors: [] } } } });
    expect(await (await runtime.call(ordersRoute)).json()).toMatchObject({ step: "resliced" });
    expect(sent(runtime.http.calls[1]!).variables).toEqual({ id: JOB });
    const state = runtime.checkpoint<{ bulk: { days: number; windows: unknown[] } }>("orders")!;
    expect(state.bulk.days).toBe(15);
    expect(state.bulk.windows).toEqual([
      { from, to: "2026-06-16T00:00:00Z" },
      { from: "2026-06-16T00:00:00Z", to: "2026-07-01T00:00:00Z" },
    ]);
  });

  it("Shopify refusing the bulk query is a clear error (a defect in the query), nothing committed", async () => {
    const runtime = await planned(ordersRoute, "orders");
    const before = runtime.checkpoint("orders");
    runtime.http.postOnce(GRAPHQL_URL, {
      body: {
        data: {
          bulkOperationRunQuery: { bulkOperation: null, userErrors: [{ field: ["query"], message: "Bulk queries cannot contain more than 5 connections.", code: "INVALID" }] },
        },
      },
    });
    const response = await runtime.call(ordersRoute);
    expect(response.status).toBe(502);
    expect(await response.json()).toMatchObject({ error: { code: "shopify_bulk_query_refused" } });
    expect(runtime.checkpoint("orders")).toEqual(before);
  });
});

describe("a customers bulk pass", () => {
  it("maps each line as the paged path maps a node", async () => {
    const runtime = await planned(customersRoute, "customers");
    runtime.http.postOnce(GRAPHQL_URL, RUN_OK);
    await runtime.call(customersRoute);
    const nodes = fixture<{ data: { customers: { nodes: { id: string }[] } } }>("customers-page-1.json").data.customers.nodes;
    runtime.http.postOnce(GRAPHQL_URL, status({ status: "COMPLETED", url: RESULT_URL }));
    runtime.http.getOnce(RESULT_URL, { body: nodes.map((n) => `${JSON.stringify(n)}\n`).join("") });
    await runtime.call(customersRoute);
    expect(await (await runtime.call(customersRoute)).json()).toMatchObject({ step: "read", eof: true, hasMore: false });
    expect(runtime.records("customer")).toEqual(nodes.map((n) => customerRecords(n as never)[0]!.payload));
  });
});

describe("bulk windows", () => {
  it("whole UTC days; the last is open-ended; a window halves at a day boundary", () => {
    const now = Date.parse("2026-12-01T10:00:00Z");
    expect(nextWindow(Date.parse("2026-10-01T00:00:00Z"), 30, now)).toEqual({ from: "2026-10-01T00:00:00Z", to: "2026-10-31T00:00:00Z" });
    expect(nextWindow(Date.parse("2026-11-15T00:00:00Z"), 30, now)).toEqual({ from: "2026-11-15T00:00:00Z", to: null });
    expect(windowSearch({ from: "2026-10-01T00:00:00Z", to: "2026-10-31T00:00:00Z" })).toBe("updated_at:>='2026-10-01T00:00:00Z' AND updated_at:<'2026-10-31T00:00:00Z'");
    expect(halve({ from: "2026-10-01T00:00:00Z", to: "2026-10-02T00:00:00Z" }, now)).toBeUndefined();
  });
});

describe("a refused or lost result", () => {
  it("the storage host refuses the signed URL (expired): the window runs again with a new job", async () => {
    const runtime = await bulkRuntime();
    runtime.http.postOnce(GRAPHQL_URL, status({ status: "COMPLETED", url: RESULT_URL }));
    runtime.http.getOnce(RESULT_URL, { status: 400, body: "<Error><Code>ExpiredToken</Code></Error>" });
    const response = await runtime.call(ordersRoute);
    expect(await response.json()).toMatchObject({ step: "restart", reason: "url_refused", hasMore: true });
    expect(runtime.checkpoint<{ bulk: { windows: Record<string, unknown>[] } }>("orders")!.bulk.windows[0]).not.toHaveProperty("jobId");
  });
});
