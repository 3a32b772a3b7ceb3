// Bulk query operations: Shopify's validation of the query, the JSONL it writes (children
// after their parent with __parentId), statuses over time at the modelled rate, the
// per-shop concurrency limit, cancel, the storage origin and its signed URL, the
// bulk_operations/finish webhook, and the faults (failed part-way, too slow, expired URL).
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { RunningShopifyEmulator } from "../src/shopify/index.js";
import { CLIENT_ID, graphql, start } from "./shopify-helpers.js";

const RUN = `mutation($query: String!) { bulkOperationRunQuery(query: $query, groupObjects: false) { bulkOperation { id status } userErrors { field message code } } }`;
const STATUS = `query($id: ID!) { bulkOperation(id: $id) { id status errorCode objectCount rootObjectCount fileSize url partialDataUrl completedAt } }`;

const ORDERS_WITH_LINES = `{ orders(query: "created_at:>='2000-01-01'") { edges { node { id name updatedAt lineItems { edges { node { id quantity } } } refunds { id } } } } }`;

let emulator: RunningShopifyEmulator;
let token: string;
let clock: number;

beforeEach(async () => {
  clock = Date.parse("2026-06-01T00:00:00Z");
  emulator = await start({ clock: () => clock, bulk: { objectsPerSecond: 100 } });
  token = emulator.state.issueOfflineToken("acme", CLIENT_ID);
});
afterEach(() => emulator.close());

type Op = {
  id: string;
  status: string;
  errorCode: string | null;
  objectCount: string;
  rootObjectCount: string;
  fileSize: string | null;
  url: string | null;
  partialDataUrl: string | null;
};

async function run(query: string) {
  const { body } = await graphql(emulator, "acme", token, RUN, { query });
  return (body.data as { bulkOperationRunQuery: { bulkOperation: { id: string; status: string } | null; userErrors: { field: string[] | null; message: string; code: string }[] } })
    .bulkOperationRunQuery;
}

async function status(id: string): Promise<Op> {
  await emulator.state.bulk.settled();
  const { body } = await graphql(emulator, "acme", token, STATUS, { id });
  return (body.data as { bulkOperation: Op }).bulkOperation;
}

/** Fetches a result URL as the Backfill host's provider routing does: the storage host travels in X-Forwarded-Host. */
function download(url: string, headers: Record<string, string> = {}) {
  const u = new URL(url);
  return fetch(`${emulator.url}${u.pathname}${u.search}`, { headers: { "X-Forwarded-Host": u.host, ...headers } });
}

describe("bulkOperationRunQuery validation", () => {
  const refused: [string, string, RegExp][] = [
    ["no connection", `{ shop { id name } }`, /must contain at least one connection/],
    ["pagination arguments", `{ orders(first: 10) { edges { node { id } } } }`, /cannot contain pagination arguments: first/],
    ["three levels of connections", `{ customers { edges { node { id orders { edges { node { id lineItems { edges { node { id } } } } } } } } } }`, /nesting depth greater than 2/],
    [
      "six connections",
      `{ orders { edges { node { id lineItems { edges { node { id } } } shippingLines { edges { node { title } } } fulfillmentOrders { edges { node { id } } } transactions: events { edges { node { id } } } agreements { edges { node { id } } } } } } }`,
      /more than 5 connections/,
    ],
    ["a connection inside a list", `{ orders { edges { node { id refunds { id refundLineItems { edges { node { id } } } } } } } }`, /connection field within a list field/],
    ["a nested connection whose parent has no id", `{ orders { edges { node { name lineItems { edges { node { id } } } } } } }`, /must select the 'id' field/],
    ["a top-level node field", `{ node(id: "gid://shopify/Order/1") { id } orders { edges { node { id } } } }`, /top level `node`/],
    ["a document the Admin schema rejects", `{ orders { edges { node { id noSuchField } } } }`, /Invalid bulk query: Cannot query field "noSuchField"/],
  ];
  for (const [name, query, message] of refused) {
    it(`${name}: a userError on ["query"], no operation created`, async () => {
      const result = await run(query);
      expect(result.bulkOperation).toBeNull();
      expect(result.userErrors[0]).toMatchObject({ field: ["query"], code: "INVALID" });
      expect(result.userErrors[0]!.message).toMatch(message);
      expect(emulator.state.bulk.operations.size).toBe(0);
    });
  }
});

describe("a bulk query operation", () => {
  it("runs at the modelled rate and writes JSONL with children after their parent, joined by __parentId", async () => {
    const created = await run(ORDERS_WITH_LINES);
    expect(created.userErrors).toEqual([]);
    expect(created.bulkOperation).toMatchObject({ id: expect.stringMatching(/^gid:\/\/shopify\/BulkOperation\/\d+$/), status: "CREATED" });
    const id = created.bulkOperation!.id;
    const shop = emulator.state.shop("acme");
    const lineCount = shop.orders.length + shop.orders.reduce((n, o) => n + o.lineItems.length, 0);

    clock += 1_000;
    const running = await status(id);
    expect(running).toMatchObject({ status: "RUNNING", objectCount: "100", url: null, fileSize: null });

    clock += Math.ceil((lineCount / 100) * 1000);
    const done = await status(id);
    expect(done).toMatchObject({ status: "COMPLETED", errorCode: null, objectCount: String(lineCount), rootObjectCount: String(shop.orders.length), partialDataUrl: null });
    expect(new URL(done.url!).host).toBe("storage.googleapis.com");

    const response = await download(done.url!);
    expect(response.status).toBe(200);
    const text = await response.text();
    expect(Number(done.fileSize)).toBe(Buffer.byteLength(text));
    const lines = text
      .trimEnd()
      .split("\n")
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines).toHaveLength(lineCount);
    // Every child follows its own parent; parents carry no connection field, lists stay inline.
    let parent: Record<string, unknown> | undefined;
    for (const line of lines) {
      if (line.__parentId === undefined) {
        expect(line.id).toMatch(/^gid:\/\/shopify\/Order\//);
        expect(line).not.toHaveProperty("lineItems");
        expect(Array.isArray(line.refunds)).toBe(true);
        parent = line;
      } else {
        expect(line.id).toMatch(/^gid:\/\/shopify\/LineItem\//);
        expect(line.__parentId).toBe(parent!.id);
      }
    }
    // Nothing of the storage request needs a Shopify token.
    expect(emulator.state.storageDownloads.at(-1)).toMatchObject({ presentedToken: false });
  });

  it("at most 5 running per shop and app; another app's jobs holding the slots refuse a new one until they finish", async () => {
    for (let i = 0; i < 5; i++) expect((await run(ORDERS_WITH_LINES)).userErrors).toEqual([]);
    const sixth = await run(ORDERS_WITH_LINES);
    expect(sixth.bulkOperation).toBeNull();
    expect(sixth.userErrors[0]).toMatchObject({ code: "OPERATION_IN_PROGRESS" });
    clock += 3_600_000;
    emulator.state.bulk.holdSlots("acme", 5);
    expect((await run(ORDERS_WITH_LINES)).userErrors[0]).toMatchObject({ code: "OPERATION_IN_PROGRESS" });
    emulator.state.bulk.holdSlots("acme", 0);
    expect((await run(ORDERS_WITH_LINES)).userErrors).toEqual([]);
  });

  it("bulkOperationCancel: CANCELED, no URL; currentBulkOperation is the latest", async () => {
    const { id } = (await run(ORDERS_WITH_LINES)).bulkOperation!;
    clock += 500;
    const { body } = await graphql(emulator, "acme", token, `mutation($id: ID!) { bulkOperationCancel(id: $id) { bulkOperation { id status } userErrors { message } } }`, { id });
    expect(body.data).toMatchObject({ bulkOperationCancel: { bulkOperation: { id, status: "CANCELED" }, userErrors: [] } });
    clock += 3_600_000;
    expect(await status(id)).toMatchObject({ status: "CANCELED", url: null });
    const current = await graphql(emulator, "acme", token, `{ currentBulkOperation { id status } }`);
    expect(current.body.data).toEqual({ currentBulkOperation: { id, status: "CANCELED" } });
  });

  it("another shop's or app's operation is not readable", async () => {
    const { id } = (await run(ORDERS_WITH_LINES)).bulkOperation!;
    const other = emulator.state.issueOfflineToken("beta", CLIENT_ID);
    const { body } = await graphql(emulator, "beta", other, STATUS, { id });
    expect(body.data).toEqual({ bulkOperation: null });
  });
});

describe("the storage origin", () => {
  async function completedUrl(): Promise<string> {
    const { id } = (await run(ORDERS_WITH_LINES)).bulkOperation!;
    clock += 3_600_000;
    return (await status(id)).url!;
  }

  it("an altered signature or path: 403 SignatureDoesNotMatch, no data", async () => {
    const url = new URL(await completedUrl());
    const sig = url.searchParams.get("X-Goog-Signature")!;
    url.searchParams.set("X-Goog-Signature", `${sig.slice(0, 10)}${sig[10] === "a" ? "b" : "a"}${sig.slice(11)}`);
    const altered = await download(url.toString());
    expect(altered.status).toBe(403);
    expect(await altered.text()).toContain("SignatureDoesNotMatch");
    const otherPath = new URL(await completedUrl());
    otherPath.pathname = otherPath.pathname.replace(/\d+/g, "1");
    expect((await download(otherPath.toString())).status).toBe(403);
  });

  it("an expired result URL (fault): 400 ExpiredToken", async () => {
    emulator.state.bulk.injectFaults({ kind: "expired_url" });
    const response = await download(await completedUrl());
    expect(response.status).toBe(400);
    expect(await response.text()).toContain("ExpiredToken");
  });

  it("the URL is served only on the storage host, not on a shop's", async () => {
    const u = new URL(await completedUrl());
    const response = await fetch(`${emulator.url}${u.pathname}${u.search}`, { headers: { "X-Forwarded-Host": "acme.myshopify.com" } });
    expect(response.status).toBe(404);
  });
});

describe("bulk faults and the finish webhook", () => {
  it("a job that fails part-way: FAILED, INTERNAL_SERVER_ERROR, the lines written so far at partialDataUrl", async () => {
    emulator.state.bulk.injectFaults({ kind: "fail_partway", fraction: 0.5 });
    const { id } = (await run(ORDERS_WITH_LINES)).bulkOperation!;
    clock += 3_600_000;
    const failed = await status(id);
    expect(failed).toMatchObject({ status: "FAILED", errorCode: "INTERNAL_SERVER_ERROR", url: null });
    const partial = await download(failed.partialDataUrl!);
    const lines = (await partial.text()).trimEnd().split("\n");
    expect(lines.length).toBe(Number(failed.objectCount));
    expect(lines.length).toBeGreaterThan(0);
  });

  it("a job that runs too long stays RUNNING at its slower rate", async () => {
    emulator.state.bulk.injectFaults({ kind: "slow", objectsPerSecond: 1 });
    const { id } = (await run(ORDERS_WITH_LINES)).bulkOperation!;
    clock += 60_000;
    expect(await status(id)).toMatchObject({ status: "RUNNING", objectCount: "60" });
  });

  it("bulk_operations/finish is delivered, signed, to the shop's subscription when a job completes", async () => {
    const received: { topic: string | undefined; body: string }[] = [];
    const receiver: Server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        received.push({ topic: req.headers["x-shopify-topic"] as string | undefined, body: Buffer.concat(chunks).toString("utf8") });
        res.end("ok");
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
    try {
      emulator.state.bulk.finishSubscriptions.set("acme", `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/webhooks`);
      const { id } = (await run(ORDERS_WITH_LINES)).bulkOperation!;
      clock += 3_600_000;
      const { notifyBulkFinished } = await import("../src/shopify/server.js");
      await notifyBulkFinished(emulator.state);
      expect(received).toHaveLength(1);
      expect(received[0]!.topic).toBe("bulk_operations/finish");
      expect(JSON.parse(received[0]!.body)).toMatchObject({ admin_graphql_api_id: id, status: "completed", error_code: null, type: "query" });
    } finally {
      await new Promise<void>((resolve) => receiver.close(() => resolve()));
    }
  });
});
