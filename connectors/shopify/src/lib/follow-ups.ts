// Follow-up reads for orders and refunds with more nested items than a page selects: the
// rest of each connection is read FOLLOW_UP_PAGE_SIZE at a time, by the record's id and the
// connection's endCursor, so a record is never mapped from part of its items nor skipped.
import { adminGraphql, type AdminResult, type QueryCost } from "./admin-api.js";
import {
  FOLLOW_UP_PAGE_SIZE,
  MAX_REFUNDS,
  ORDER_ALL_REFUNDS_QUERY,
  ORDER_LINE_ITEMS_QUERY,
  ORDER_SHIPPING_LINES_QUERY,
  REFUND_ADJUSTMENTS_QUERY,
  REFUND_LINE_ITEMS_QUERY,
  REFUND_SHIPPING_LINES_QUERY,
} from "./documents.js";
import type { Connection, ShopifyOrder, ShopifyOrderRefunds, ShopifyRefund } from "../mappers/shopify-types.js";

export type AdminFailure = Exclude<AdminResult<unknown>, { kind: "data" }>;
export type Completed<T> = { ok: true; value: T } | { ok: false; failure: AdminFailure };

/** The Admin calls of one invocation; keeps the last cost report (the bucket after it). */
export class AdminSession {
  lastCost: QueryCost | undefined;
  calls = 0;

  query<T>(document: string, variables: Record<string, unknown> = {}): AdminResult<T> {
    this.calls += 1;
    const result = adminGraphql<T>(document, variables);
    if ((result.kind === "data" || result.kind === "throttled") && result.cost) this.lastCost = result.cost;
    return result;
  }

  /**
   * Like query(), with a call Shopify did not answer in time as a failure instead of a throw, for
   * follow-ups after which the invocation still commits what it completed (a bulk slice).
   */
  queryKeepingProgress<T>(document: string, variables: Record<string, unknown> = {}): AdminResult<T> {
    try {
      return this.query<T>(document, variables);
    } catch (error) {
      if ((error as { code?: unknown })?.code !== "timeout") throw error;
      return { kind: "failed", status: 504, messages: ["Shopify did not answer in time"] };
    }
  }
}

const vanished = (id: string): AdminFailure => ({ kind: "failed", status: 200, messages: [`${id} is no longer readable`] });

type Data = Record<string, { [field: string]: unknown } | null | undefined>;

/** `first` with the rest of its nodes, read by `document` (variables `id`, `first`, `after`). */
function restOf<T>(session: AdminSession, document: string, id: string, first: Connection<T>, pick: (data: Data) => Connection<T> | undefined): Completed<Connection<T>> {
  if (!first.pageInfo?.hasNextPage) return { ok: true, value: first };
  const nodes = [...first.nodes];
  let pageInfo: Connection<T>["pageInfo"] = first.pageInfo;
  while (pageInfo?.hasNextPage) {
    if (!pageInfo.endCursor) return { ok: false, failure: { kind: "failed", status: 200, messages: [`${id}: a page without endCursor`] } };
    const result = session.query<Data>(document, { id, first: FOLLOW_UP_PAGE_SIZE, after: pageInfo.endCursor });
    if (result.kind !== "data") return { ok: false, failure: result };
    const next = pick(result.data);
    if (!next) return { ok: false, failure: vanished(id) };
    nodes.push(...next.nodes);
    pageInfo = next.pageInfo;
  }
  return { ok: true, value: { pageInfo: { hasNextPage: false, endCursor: null }, nodes } };
}

const orderConnection =
  <T>(field: string) =>
  (d: Data) =>
    d.order?.[field] as Connection<T> | undefined;
const refundConnection =
  <T>(field: string) =>
  (d: Data) =>
    d.refund?.[field] as Connection<T> | undefined;

/** `Order.refunds` is a list without a cursor: when the page's list may be cut short, read all. */
function allRefunds<R>(session: AdminSession, document: string, order: { id: string; refunds: R[] }): Completed<R[]> {
  if (order.refunds.length < MAX_REFUNDS) return { ok: true, value: order.refunds };
  const result = session.query<Data>(document, { id: order.id });
  if (result.kind !== "data") return { ok: false, failure: result };
  const refunds = result.data.order?.refunds as R[] | undefined;
  return refunds ? { ok: true, value: refunds } : { ok: false, failure: vanished(order.id) };
}

/** The order with every line item, shipping line and refund (each refund whole: its receipt is read in the orders pass). */
export function completeOrder(session: AdminSession, order: ShopifyOrder): Completed<ShopifyOrder> {
  const lineItems = restOf(session, ORDER_LINE_ITEMS_QUERY, order.id, order.lineItems, orderConnection<ShopifyOrder["lineItems"]["nodes"][number]>("lineItems"));
  if (!lineItems.ok) return lineItems;
  const shippingLines = restOf(
    session,
    ORDER_SHIPPING_LINES_QUERY,
    order.id,
    order.shippingLines,
    orderConnection<ShopifyOrder["shippingLines"]["nodes"][number]>("shippingLines"),
  );
  if (!shippingLines.ok) return shippingLines;
  const refunds = completeOrderRefunds(session, order);
  if (!refunds.ok) return refunds;
  return { ok: true, value: { ...order, lineItems: lineItems.value, shippingLines: shippingLines.value, refunds: refunds.value.refunds } };
}

function completeRefund(session: AdminSession, refund: ShopifyRefund): Completed<ShopifyRefund> {
  const lines = restOf(session, REFUND_LINE_ITEMS_QUERY, refund.id, refund.refundLineItems, refundConnection<ShopifyRefund["refundLineItems"]["nodes"][number]>("refundLineItems"));
  if (!lines.ok) return lines;
  const shipping = restOf(
    session,
    REFUND_SHIPPING_LINES_QUERY,
    refund.id,
    refund.refundShippingLines,
    refundConnection<ShopifyRefund["refundShippingLines"]["nodes"][number]>("refundShippingLines"),
  );
  if (!shipping.ok) return shipping;
  const adjustments = restOf(
    session,
    REFUND_ADJUSTMENTS_QUERY,
    refund.id,
    refund.orderAdjustments,
    refundConnection<ShopifyRefund["orderAdjustments"]["nodes"][number]>("orderAdjustments"),
  );
  if (!adjustments.ok) return adjustments;
  return { ok: true, value: { ...refund, refundLineItems: lines.value, refundShippingLines: shipping.value, orderAdjustments: adjustments.value } };
}

/** The order's every refund, each with all its lines, shipping lines and adjustments. */
export function completeOrderRefunds(session: AdminSession, order: ShopifyOrderRefunds): Completed<ShopifyOrderRefunds> {
  const refunds = allRefunds(session, ORDER_ALL_REFUNDS_QUERY, order);
  if (!refunds.ok) return refunds;
  const complete: ShopifyRefund[] = [];
  for (const refund of refunds.value) {
    const r = completeRefund(session, refund);
    if (!r.ok) return r;
    complete.push(r.value);
  }
  return { ok: true, value: { ...order, refunds: complete } };
}
