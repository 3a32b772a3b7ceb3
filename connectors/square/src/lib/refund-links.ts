// Which sale each refund of a page reverses, read in as few requests as possible:
//   - an unlinked refund has none (null), no request;
//   - a refund with a return order (PaymentRefund.order_id): BatchRetrieveOrders, 100 a call,
//     the return order's returns[].source_order_id;
//   - a refund with a payment but no order_id (older records): GetPayment, the payment's order.
// Only settled refunds need a link. Lookups stop at the first transient failure; `resolved`
// is then the prefix of the page whose refunds all have what they need.
import { orderIdsOfPayments } from "./payments.js";
import { salesOfReturnOrders } from "./return-orders.js";
import type { SquareApiError } from "./square-errors.js";
import type { SquarePaymentRefund } from "./square-types.js";
import { isSettledRefund, isUnlinkedRefund } from "../mappers/refund.js";

export type RefundLinks = {
  /** Refund id → the sale it reverses (null: unlinked; undefined: looked up, no sale found). */
  saleOf: Map<string, string | null | undefined>;
  /** Refunds [0, resolved) of the list have their link (or need none). */
  resolved: number;
  interruptedBy?: SquareApiError;
};

const needsLink = (r: SquarePaymentRefund) => isSettledRefund(r) && !isUnlinkedRefund(r);

export function refundLinks(refunds: readonly SquarePaymentRefund[]): RefundLinks {
  const linked = refunds.filter(needsLink);
  const returnOrders = salesOfReturnOrders(linked.flatMap((r) => (r.order_id ? [r.order_id] : [])));
  const payments = orderIdsOfPayments(linked.flatMap((r) => (!r.order_id && r.payment_id ? [r.payment_id] : [])));
  const saleOf = new Map<string, string | null | undefined>();
  let resolved = refunds.length;
  for (let i = 0; i < refunds.length; i++) {
    const r = refunds[i]!;
    if (!isSettledRefund(r)) continue;
    if (isUnlinkedRefund(r)) {
      saleOf.set(r.id, null);
      continue;
    }
    const source = r.order_id ? returnOrders.saleOf : payments.orderIds;
    const key = r.order_id ?? r.payment_id!;
    if (!source.has(key)) {
      resolved = i;
      break;
    }
    saleOf.set(r.id, source.get(key));
  }
  const interruptedBy = returnOrders.interruptedBy ?? payments.interruptedBy;
  return { saleOf, resolved, ...(interruptedBy ? { interruptedBy } : {}) };
}
