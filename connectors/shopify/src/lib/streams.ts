// The three sync streams: which document, how records are keyed and mapped, how much a
// node costs (an estimate from Shopify's cost rules; the first response corrects it).
import type { Customer } from "@backfill-io/sdk";
import { CUSTOMERS_QUERY, ORDERS_QUERY, ORDER_REFUNDS_QUERY } from "./documents.js";
import { completeOrder, completeOrderRefunds } from "./follow-ups.js";
import { DAY_MS, MINUTE_MS, type MappedRecord, type Page, type StreamSpec } from "./sync-stream.js";
import { customerToCanonical } from "../mappers/customer.js";
import { orderToSalesReceipt } from "../mappers/order.js";
import { refundToRefundReceipt } from "../mappers/refund.js";
import { customerKey, orderKey, refundKey } from "../mappers/ids.js";
import type { ShopifyCustomer, ShopifyOrder, ShopifyOrderRefunds } from "../mappers/shopify-types.js";

export function customerRecords(node: ShopifyCustomer): MappedRecord[] {
  const { customer, warnings } = customerToCanonical(node);
  return [{ key: customerKey(node.id), payload: customer satisfies Customer, warnings }];
}

export function orderRecords(node: ShopifyOrder): MappedRecord[] {
  const { receipt, warnings } = orderToSalesReceipt(node);
  return [{ key: orderKey(node.id), payload: receipt, warnings }];
}

export function refundRecords(node: ShopifyOrderRefunds): MappedRecord[] {
  return node.refunds.map((refund) => {
    const { receipt, warnings } = refundToRefundReceipt(node, refund);
    return { key: refundKey(refund.id), payload: receipt, warnings };
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
  // ORDERS_QUERY: 99 points an order (see documents.ts); follow-ups only for large orders.
  cost: { baseCost: 2, costPerNode: 99, maxPageSize: 25 },
  lookbackMs: 5 * MINUTE_MS,
  granularity: "instant",
  page: (d) => d.orders,
  nodeId: (n) => n.id,
  updatedAt: (n) => n.updatedAt,
  complete: completeOrder,
  toRecords: orderRecords,
};

export const refundsStream: StreamSpec<{ orders: Page<ShopifyOrderRefunds> }, ShopifyOrderRefunds> = {
  stream: "refunds",
  kind: "refund_receipt",
  document: ORDER_REFUNDS_QUERY,
  // ORDER_REFUNDS_QUERY: 85 points an order (see documents.ts).
  cost: { baseCost: 2, costPerNode: 85, maxPageSize: 25 },
  lookbackMs: 5 * MINUTE_MS,
  granularity: "instant",
  page: (d) => d.orders,
  nodeId: (n) => n.id,
  updatedAt: (n) => n.updatedAt,
  complete: completeOrderRefunds,
  toRecords: refundRecords,
};
