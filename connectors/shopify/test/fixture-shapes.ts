// The shapes of the JSON fixtures the tests read and edit: the Admin GraphQL responses they
// stand for, in the connector's own provider types (a fixture that drifts fails the typecheck
// where a test reads it, not at run time).
import type { QueryCost, ThrottleStatus } from "../src/lib/admin-api.js";
import type { Connection, ShopifyCustomer, ShopifyOrder, ShopifyOrderRefunds } from "../src/mappers/shopify-types.js";

export type OrdersPageFixture = {
  data: { orders: Connection<ShopifyOrder> & { edges?: { cursor: string }[] } };
  extensions: { cost: QueryCost };
};
export type OrderRefundsPageFixture = { data: { orders: Connection<ShopifyOrderRefunds> } };
export type CustomersPageFixture = { data: { customers: Connection<ShopifyCustomer> } };
export type OrderFixture = { data: { order: ShopifyOrder } };
export type ThrottledFixture = { extensions: { cost: { throttleStatus: ThrottleStatus } } };
/** A webhook payload: a JSON object the tests spread and edit. */
export type WebhookPayloadFixture = Record<string, unknown>;
