// The fallback link of a refund to its sale: the refunded payment's order (GetPayment), for a
// refund that names a payment but no return order (PaymentRefund.order_id absent). Every
// current refund has a return order and is linked through it in batches (return-orders.ts);
// this path costs one GetPayment per *distinct* payment of a page.
//
// Lookups run in page order and stop at the first transient failure (429, 5xx, a body cut
// short), so the caller can keep the refunds resolved before it instead of losing the page.
import { squareGet } from "./square-client.js";
import { isSquareApiError, isTransientSquareError, type SquareApiError } from "./square-errors.js";
import type { SquarePayment } from "./square-types.js";

/**
 * At most this many GetPayment calls per invocation: a page of 100 refunds across 100
 * payments is read in a few invocations, each well within the route's time limit.
 */
export const MAX_PAYMENT_LOOKUPS = 40;

export type PaymentOrders = {
  /** payment id → order id; a payment Square no longer finds maps to undefined. */
  orderIds: Map<string, string | undefined>;
  /** The transient failure that ended the lookups early, if one did. */
  interruptedBy?: SquareApiError;
};

/** Looks payments up in the order given (distinct ids, at most `max`); see the file comment. */
export function orderIdsOfPayments(paymentIds: readonly string[], max = MAX_PAYMENT_LOOKUPS): PaymentOrders {
  const orderIds = new Map<string, string | undefined>();
  for (const id of [...new Set(paymentIds)].slice(0, max)) {
    try {
      const body = squareGet<{ payment?: SquarePayment }>(`/v2/payments/${encodeURIComponent(id)}`);
      orderIds.set(id, body.payment?.order_id);
    } catch (error) {
      if (isSquareApiError(error) && error.kind === "not_found") orderIds.set(id, undefined);
      else if (isTransientSquareError(error)) return { orderIds, interruptedBy: error };
      else throw error;
    }
  }
  return { orderIds };
}

/** One payment's order id (undefined when Square no longer finds the payment); throws on any other failure. */
export function orderIdOfPayment(paymentId: string): string | undefined {
  const { orderIds, interruptedBy } = orderIdsOfPayments([paymentId]);
  if (interruptedBy) throw interruptedBy;
  return orderIds.get(paymentId);
}
