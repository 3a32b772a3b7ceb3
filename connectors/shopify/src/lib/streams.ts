// The three sync streams: which document, how records are keyed and mapped, how much a
// node costs (an estimate from Shopify's cost rules; the first response corrects it).
import type { Customer } from "@backfill-io/sdk";
import { CUSTOMERS_COUNT_QUERY, CUSTOMERS_OLDEST_QUERY, CUSTOMERS_QUERY, ORDERS_COUNT_QUERY, ORDERS_OLDEST_QUERY, ORDERS_QUERY, ORDER_REFUNDS_QUERY, bulkCustomersQuery, bulkOrdersQuery } from "./documents.js";
import { completeBulkOrders, customerFromFile, orderFromFile } from "./bulk/from-file.js";
import { completeOrder, completeOrderRefunds } from "./follow-ups.js";
import { DAY_MS, MINUTE_MS, type MappedRecord, type Page, type StreamSpec } from "./sync-stream.js";
import { customerToCanonical } from "../mappers/customer.js";
import { orderToSalesReceipt } from "../mappers/order.js";
import { refundToRefundReceipt } from "../mappers/refund.js";
import { customerKey, orderKey, refundKey } from "../mappers/ids.js";
import type { ShopifyCustomer, ShopifyOrder, ShopifyOrderRefunds } from "../mappers/shopify-types.js";

/** Passes expected to read at least this many records run as bulk operations (lib/bulk/choose.ts). */
export const BULK_MIN_CUSTOMERS = 1000;
export const BULK_MIN_ORDERS = 250;

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
  bulk: {
    query: bulkCustomersQuery,
    fromFile: customerFromFile,
    countDocument: CUSTOMERS_COUNT_QUERY,
    count: (d) => (d.customersCount as { count?: number } | null)?.count,
    oldestDocument: CUSTOMERS_OLDEST_QUERY,
    oldest: (d) => (d.customers as { nodes?: { updatedAt: string }[] } | null)?.nodes?.[0]?.updatedAt,
    // Ten pages of 100: below that paging is as quick as a bulk job's start and poll.
    minRecords: BULK_MIN_CUSTOMERS,
  },
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
  bulk: {
    query: bulkOrdersQuery,
    fromFile: orderFromFile,
    completeAll: completeBulkOrders,
    countDocument: ORDERS_COUNT_QUERY,
    count: (d) => (d.ordersCount as { count?: number } | null)?.count,
    oldestDocument: ORDERS_OLDEST_QUERY,
    oldest: (d) => (d.orders as { nodes?: { updatedAt: string }[] } | null)?.nodes?.[0]?.updatedAt,
    // 25 pages of 10 orders (about 25,000 points, over four minutes on a Standard plan).
    minRecords: BULK_MIN_ORDERS,
  },
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
