// Stream nodes from bulk file records: the parent line with its connections rebuilt from the
// child lines (told apart by __typename), complete by construction (a bulk file holds every
// node of every connection), so the mappers read them exactly as a page's nodes.
import { ORDER_ALL_REFUND_QUANTITIES_QUERY } from "../documents.js";
import { completeOrder, type AdminSession, type Completed } from "../follow-ups.js";
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

type RefundsData = { order?: { refunds: ShopifyOrder["refunds"] } | null };

/**
 * A bulk file lists an order's refunds by id only (no connection inside a list field in a
 * bulk query): an order with refunds reads their refunded quantities through paged follow-ups.
 */
export function completeBulkOrder(session: AdminSession, order: ShopifyOrder): Completed<ShopifyOrder> {
  if (order.refunds.length === 0) return { ok: true, value: order };
  const result = session.query<RefundsData>(ORDER_ALL_REFUND_QUANTITIES_QUERY, { id: order.id });
  if (result.kind !== "data") return { ok: false, failure: result };
  const refunds = result.data.order?.refunds;
  if (!refunds) return { ok: false, failure: { kind: "failed", status: 200, messages: [`${order.id} is no longer readable`] } };
  return completeOrder(session, { ...order, refunds });
}
