// The two sync streams: which document, how records are keyed and mapped, how much a
// node costs (an estimate from Shopify's cost rules; the first response corrects it).
// Refunds are read in the orders pass (each order with its refunds), not by a second walk
// over the orders: the orders stream writes sales receipts and refund receipts.
import type { Customer } from "@backfill-io/sdk";
import {
  CUSTOMERS_COUNT_QUERY,
  CUSTOMERS_OLDEST_QUERY,
  CUSTOMERS_QUERY,
  ORDERS_COUNT_QUERY,
  ORDERS_OLDEST_QUERY,
  ORDERS_QUERY,
  bulkCustomersQuery,
  bulkOrdersQuery,
} from "./documents.js";
import { completeBulkOrders, customerFromFile, orderFromFile } from "./bulk/from-file.js";
import { completeOrder } from "./follow-ups.js";
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

/** The order's sales receipt, then a refund receipt for each of its refunds. */
export function orderRecords(node: ShopifyOrder): MappedRecord[] {
  const { receipt, warnings } = orderToSalesReceipt(node);
  const refunds = refundRecords(node).map((r) => ({ ...r, kind: "refund_receipt" as const }));
  return [{ key: orderKey(node.id), payload: receipt, warnings }, ...refunds];
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
  // ORDERS_QUERY: 145 points an order with its refunds (see documents.ts); follow-ups only for large orders.
  cost: { baseCost: 2, costPerNode: 145, maxPageSize: 25 },
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
