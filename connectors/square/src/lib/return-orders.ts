// Refunds link to the sale they reverse through their return order: Square creates one order
// per refund (PaymentRefund.order_id) whose returns[].source_order_id is the sale. Return
// orders are read with BatchRetrieveOrders, 100 ids a call, so a page of 100 refunds costs one
// request instead of one GetPayment per payment.
//
// Calls run in page order and stop at the first transient failure (429, 5xx, a body cut
// short), so the caller keeps the refunds resolved before it instead of losing the page.
import { squarePost } from "./square-client.js";
import { isTransientSquareError, type SquareApiError } from "./square-errors.js";
import type { SquareOrder } from "./square-types.js";

/** BatchRetrieveOrders' limit on order_ids per request. */
export const MAX_ORDERS_PER_BATCH = 100;

/** The sale a return order takes back from: its returns[].source_order_id (undefined: none named). */
export function saleOfReturnOrder(order: SquareOrder): string | undefined {
  return order.returns?.find((entry) => typeof entry.source_order_id === "string" && entry.source_order_id)?.source_order_id ?? undefined;
}

/** A return order: it takes something back (returns[]) and sells nothing (no line items). */
export function isReturnOrder(order: SquareOrder): boolean {
  return (order.returns?.length ?? 0) > 0 && (order.line_items?.length ?? 0) === 0;
}

export type ReturnOrderSales = {
  /**
   * Return order id → the sale it names; undefined for an id Square did not return or a return
   * order that names no sale. Holds only ids whose batch was read.
   */
  saleOf: Map<string, string | undefined>;
  /** The transient failure that ended the batches early, if one did. */
  interruptedBy?: SquareApiError;
};

/** Reads the return orders (distinct ids, in the order given) in batches of 100; see the file comment. */
export function salesOfReturnOrders(returnOrderIds: readonly string[]): ReturnOrderSales {
  const saleOf = new Map<string, string | undefined>();
  const ids = [...new Set(returnOrderIds)];
  for (let start = 0; start < ids.length; start += MAX_ORDERS_PER_BATCH) {
    const batch = ids.slice(start, start + MAX_ORDERS_PER_BATCH);
    let orders: SquareOrder[];
    try {
      orders = squarePost<{ orders?: SquareOrder[] }>("/v2/orders/batch-retrieve", { order_ids: batch }).orders ?? [];
    } catch (error) {
      if (isTransientSquareError(error)) return { saleOf, interruptedBy: error };
      throw error;
    }
    const found = new Map(orders.map((order) => [order.id, order]));
    for (const id of batch) {
      const order = found.get(id);
      saleOf.set(id, order ? saleOfReturnOrder(order) : undefined);
    }
  }
  return { saleOf };
}
