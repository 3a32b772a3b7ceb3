// Square PaymentRefund → canonical refund_receipt. The receipt it reverses is the order
// of the refunded payment (PaymentRefund.order_id is the refund's own return order).
import type { RefundReceipt } from "@backfill-io/sdk";
import type { SquarePaymentRefund } from "../lib/square-types.js";
import { MappingError } from "./mapping-error.js";
import { currencyOf, decimal, minor } from "./money.js";

/** Only COMPLETED refunds moved money; PENDING ones come back with a new updated_at when they settle. */
export function isSettledRefund(r: SquarePaymentRefund): boolean {
  return r.status === "COMPLETED";
}

export function mapRefund(r: SquarePaymentRefund, paymentOrderId: string | undefined): RefundReceipt {
  if (!paymentOrderId) throw new MappingError(r.id, `refunded payment ${r.payment_id ?? "(none)"} has no order to link to`);
  const currency = currencyOf(r.id, r.amount_money);
  return {
    refund_id: r.id,
    receipt_id: paymentOrderId,
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
