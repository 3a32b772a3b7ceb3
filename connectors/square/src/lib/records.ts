// Square objects as canonical records keyed by Square's ids (for the streams and the webhook).
import type { MappedRecord } from "@backfill-io/oauth-helpers";
import { customerIdempotencyKey, mapCustomer } from "../mappers/customer.js";
import { mapOrder, orderIdempotencyKey } from "../mappers/order.js";
import { mapRefund, refundIdempotencyKey } from "../mappers/refund.js";
import type { SquareCustomer, SquareOrder, SquarePaymentRefund } from "./square-types.js";

export function customerRecords(customer: SquareCustomer): MappedRecord[] {
  const payload = mapCustomer(customer);
  return [{ key: customerIdempotencyKey(payload), payload }];
}

export function orderRecords(order: SquareOrder): MappedRecord[] {
  const payload = mapOrder(order);
  return [{ key: orderIdempotencyKey(payload), payload }];
}

/** A refund with the sale it reverses (null: unlinked; undefined: none found, skipped). */
export type LinkedRefund = { refund: SquarePaymentRefund; sale: string | null | undefined };

export function refundRecords({ refund, sale }: LinkedRefund): MappedRecord[] {
  const payload = mapRefund(refund, sale);
  return [{ key: refundIdempotencyKey(payload), payload }];
}

export const squareId = (object: { id: string }) => object.id;
export const squareUpdatedAt = (object: { updated_at?: string | undefined }) => object.updated_at;
