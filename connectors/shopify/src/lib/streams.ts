// The three sync streams: which document, how records are keyed and mapped, how much a
// node costs (an estimate from Shopify's cost rules; the first response corrects it).
import type { Customer } from "@backfill-io/sdk";
import { CUSTOMERS_QUERY, MAX_REFUNDS, ORDERS_QUERY, ORDER_REFUNDS_QUERY } from "./documents.js";
import { DAY_MS, MINUTE_MS, type MappedRecord, type StreamSpec } from "./sync-stream.js";
import { customerToCanonical } from "../mappers/customer.js";
import { orderToSalesReceipt } from "../mappers/order.js";
import { refundToRefundReceipt } from "../mappers/refund.js";
import { customerKey, orderKey, refundKey } from "../mappers/ids.js";
import type { ShopifyCustomer, ShopifyOrder, ShopifyOrderRefunds } from "../mappers/shopify-types.js";

type Page<N> = { pageInfo: { hasNextPage: boolean; endCursor: string | null }; nodes: N[] };

export function customerRecords(node: ShopifyCustomer): MappedRecord[] {
  const { customer, warnings } = customerToCanonical(node);
  return [{ key: customerKey(node.id), payload: customer satisfies Customer, warnings }];
}

export function orderRecords(node: ShopifyOrder): MappedRecord[] {
  const { receipt, warnings } = orderToSalesReceipt(node);
  return [{ key: orderKey(node.id), payload: receipt, warnings }];
}

export function refundRecords(node: ShopifyOrderRefunds): MappedRecord[] {
  // `refunds` is a list, not a connection: a full list may have been cut short.
  const truncated = node.refunds.length >= MAX_REFUNDS ? [`order has ${MAX_REFUNDS} or more refunds; later ones may be missing`] : [];
  return node.refunds.map((refund) => {
    const { receipt, warnings } = refundToRefundReceipt(node, refund);
    return { key: refundKey(refund.id), payload: receipt, warnings: [...warnings, ...truncated] };
  });
}

export const customersStream: StreamSpec<{ customers: Page<ShopifyCustomer> }, ShopifyCustomer> = {
  stream: "customers",
  kind: "customer",
  document: CUSTOMERS_QUERY,
  // customer 1 + email 1 + phone 1 + address 1
  cost: { baseCost: 2, costPerNode: 4, maxPageSize: 100 },
  // The customers search matches updated_at by whole days.
  lookbackMs: DAY_MS,
  granularity: "day",
  page: (d) => d.customers,
  nodeId: (n) => n.id,
  updatedAt: (n) => n.updatedAt,
  toRecords: customerRecords,
};

export const ordersStream: StreamSpec<{ orders: Page<ShopifyOrder> }, ShopifyOrder> = {
  stream: "orders",
  kind: "sales_receipt",
  document: ORDERS_QUERY,
  cost: { baseCost: 2, costPerNode: 60, maxPageSize: 50 },
  lookbackMs: 5 * MINUTE_MS,
  granularity: "instant",
  page: (d) => d.orders,
  nodeId: (n) => n.id,
  updatedAt: (n) => n.updatedAt,
  toRecords: orderRecords,
};

export const refundsStream: StreamSpec<{ orders: Page<ShopifyOrderRefunds> }, ShopifyOrderRefunds> = {
  stream: "refunds",
  kind: "refund_receipt",
  document: ORDER_REFUNDS_QUERY,
  cost: { baseCost: 2, costPerNode: 60, maxPageSize: 50 },
  lookbackMs: 5 * MINUTE_MS,
  granularity: "instant",
  page: (d) => d.orders,
  nodeId: (n) => n.id,
  updatedAt: (n) => n.updatedAt,
  toRecords: refundRecords,
};
