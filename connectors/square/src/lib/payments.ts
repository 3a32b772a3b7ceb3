// Refunds point at a payment; the sales receipt they reverse is the payment's order.
// PaymentRefund.order_id is not that order: every refund (itemized or amount-only) gets
// its own return order, whose returns[].source_order_id points back at the sale. So the
// link costs one GetPayment per *distinct* payment of a page (a page holds at most 100
// refunds; partial refunds of one payment share the lookup). Not cached across pages:
// each invocation reads one page, and a payment's order never changes anyway.
import { squareGet } from "./square-client.js";
import { isSquareApiError } from "./square-errors.js";
import type { SquarePayment } from "./square-types.js";

/** payment id → order id; a payment Square no longer finds maps to undefined. */
export function orderIdsOfPayments(paymentIds: readonly string[]): Map<string, string | undefined> {
  const out = new Map<string, string | undefined>();
  for (const id of new Set(paymentIds)) {
    try {
      const body = squareGet<{ payment?: SquarePayment }>(`/v2/payments/${encodeURIComponent(id)}`);
      out.set(id, body.payment?.order_id);
    } catch (error) {
      if (isSquareApiError(error) && error.kind === "not_found") out.set(id, undefined);
      else throw error;
    }
  }
  return out;
}
