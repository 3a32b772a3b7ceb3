// Square PaymentRefund → canonical refund_receipt. The receipt it reverses is the sale its
// return order names (PaymentRefund.order_id is the return order, not the sale); an unlinked
// refund (money returned without a Square payment) has no sale: receipt_id null, with its reason.
import type { RefundReceipt } from "@backfill-io/sdk";
import type { SquarePaymentRefund } from "../lib/square-types.js";
import { MappingError } from "@backfill-io/oauth-helpers";
import { currencyOf, decimal, minor } from "./money.js";

/** Only COMPLETED refunds moved money; PENDING ones come back with a new updated_at when they settle. */
export function isSettledRefund(r: SquarePaymentRefund): boolean {
  return r.status === "COMPLETED";
}

/** A refund not linked to a Square payment: there is no sale to find. */
export function isUnlinkedRefund(r: SquarePaymentRefund): boolean {
  return r.unlinked === true || (!r.payment_id && !r.order_id);
}

/**
 * `saleOrderId`: the sale the refund reverses; null for an unlinked refund; undefined when
 * the link could not be found (the refund is skipped and reported, never stored unlinked).
 */
export function mapRefund(r: SquarePaymentRefund, saleOrderId: string | null | undefined): RefundReceipt {
  if (saleOrderId === undefined) {
    throw new MappingError(`${r.id}: return order ${r.order_id ?? "(none)"} of payment ${r.payment_id ?? "(none)"} names no sale to link to`);
  }
  if (saleOrderId === null && !isUnlinkedRefund(r)) throw new MappingError(`${r.id}: is linked to a payment but no sale was resolved`);
  const currency = currencyOf(r.id, r.amount_money);
  return {
    refund_id: r.id,
    receipt_id: saleOrderId,
    reason: r.reason ?? null,
    customer_id: null,
    ...(r.created_at ? { issued_at: r.created_at } : {}),
    currency,
    total: decimal(minor(r.amount_money, currency, r.id), currency),
    provider_id: r.id,
    ...(r.updated_at ? { provider_updated_at: r.updated_at } : {}),
  };
}

export const refundIdempotencyKey = (r: { refund_id: string }) => `square:refund:${r.refund_id}`;
