// Contract test: every GraphQL document the Shopify connector sends must execute here without
// errors. The documents come through the connector package (a workspace devDependency), so
// turbo re-runs this test when they change.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ALL_DOCUMENTS, BULK_DOCUMENTS, BULK_RUN_MUTATION } from "@backfill-io/connector-shopify/documents";
import type { RunningShopifyEmulator } from "../src/shopify/index.js";
import { CLIENT_ID, graphql, start } from "./shopify-helpers.js";

let emulator: RunningShopifyEmulator;
let token: string;

beforeAll(async () => {
  emulator = await start({ throttle: { maximumAvailable: 1e9, restoreRate: 1e9, maxQueryCost: 1e9 } });
  token = emulator.state.issueOfflineToken("acme", CLIENT_ID);
});
afterAll(async () => {
  await emulator.close();
});

describe("the Shopify connector's documents", () => {
  it("all execute without errors, by id and as pages", async () => {
    const shop = emulator.state.shop("acme");
    const order = shop.orders.find((o) => o.refunds.length > 1 && o.customerId !== null);
    const customer = shop.customers[0];
    if (!order || !customer) throw new Error("fixture");
    expect(Object.keys(ALL_DOCUMENTS).length).toBeGreaterThan(0);
    for (const [name, document] of Object.entries(ALL_DOCUMENTS)) {
      const id = /Customer/.test(name) && !/Order/.test(name) ? `gid://shopify/Customer/${customer.id}` : `gid://shopify/Order/${order.id}`;
      const variables = { first: 5, after: null, query: "updated_at:>='2025-01-01T00:00:00Z'", id, ids: [id] };
      const { status, body } = await graphql(emulator, "acme", token, document, variables);
      expect(status, name).toBe(200);
      expect(body.errors, `${name}: ${JSON.stringify(body.errors)}`).toBeUndefined();
      expect(body.data, name).toBeTruthy();
    }
  });

  it("its bulk queries pass Shopify's bulk validation and create operations", async () => {
    for (const [name, query] of Object.entries(BULK_DOCUMENTS)) {
      const { body } = await graphql(emulator, "acme", token, BULK_RUN_MUTATION, { query });
      expect(body.data, name).toMatchObject({ bulkOperationRunQuery: { bulkOperation: { id: expect.stringMatching(/BulkOperation/) }, userErrors: [] } });
    }
  });
});
