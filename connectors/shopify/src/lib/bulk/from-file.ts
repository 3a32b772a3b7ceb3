// Stream nodes from bulk file records: the parent line with its connections rebuilt from the
// child lines (told apart by __typename), complete by construction (a bulk file holds every
// node of every connection), so the mappers read them exactly as a page's nodes.
import { ORDERS_REFUNDS_BATCH, ORDERS_REFUNDS_QUERY } from "../documents.js";
import { completeOrder, type AdminFailure, type AdminSession } from "../follow-ups.js";
import type { ShopifyCustomer, ShopifyOrder } from "../../mappers/shopify-types.js";
import type { BulkLine, BulkRecord } from "./jsonl-groups.js";

const whole = <T>(nodes: T[]) => ({ pageInfo: { hasNextPage: false, endCursor: null }, nodes });

function childrenOf(record: BulkRecord, typename: string): BulkLine[] {
  return record.children.filter((c) => c.__typename === typename).map(({ __parentId: _parent, __typename: _type, ...rest }) => rest);
}

export function customerFromFile(record: BulkRecord): ShopifyCustomer {
  return record.parent as unknown as ShopifyCustomer;
}

export function orderFromFile(record: BulkRecord): ShopifyOrder {
  const parent = record.parent as unknown as Omit<ShopifyOrder, "lineItems" | "shippingLines">;
  return {
    ...parent,
    lineItems: whole(childrenOf(record, "LineItem") as unknown as ShopifyOrder["lineItems"]["nodes"]),
    shippingLines: whole(childrenOf(record, "ShippingLine") as unknown as ShopifyOrder["shippingLines"]["nodes"]),
  };
}

type RefundsNode = { id?: string; refunds?: ShopifyOrder["refunds"] } | null;

/**
 * A bulk file lists an order's refunds by id only (no connection inside a list field in a
 * bulk query): the orders with refunds read them whole (the refund receipts and the refunded
 * quantities) through paged follow-ups, ORDERS_REFUNDS_BATCH orders a query. Returns the
 * orders completed, in order, up to the first failure.
 */
export function completeBulkOrders(session: AdminSession, orders: ShopifyOrder[]): { done: ShopifyOrder[]; failure?: AdminFailure } {
  const done: ShopifyOrder[] = [];
  let next = 0;
  while (next < orders.length) {
    const batch: string[] = [];
    let end = next;
    for (; end < orders.length && batch.length < ORDERS_REFUNDS_BATCH; end++) if (orders[end]!.refunds.length) batch.push(orders[end]!.id);
    const refunds = new Map<string, ShopifyOrder["refunds"]>();
    if (batch.length) {
      const result = session.queryKeepingProgress<{ nodes: RefundsNode[] }>(ORDERS_REFUNDS_QUERY, { ids: batch });
      if (result.kind !== "data") return { done, failure: result };
      for (const node of result.data.nodes) if (node?.id && node.refunds) refunds.set(node.id, node.refunds);
    }
    for (; next < end; next++) {
      const order = orders[next]!;
      if (order.refunds.length === 0) {
        done.push(order);
        continue;
      }
      const read = refunds.get(order.id);
      if (!read) return { done, failure: { kind: "failed", status: 200, messages: [`${order.id} is no longer readable`] } };
      const completed = completeOrder(session, { ...order, refunds: read });
      if (!completed.ok) return { done, failure: completed.failure };
      done.push(completed.value);
    }
  }
  return { done };
}
