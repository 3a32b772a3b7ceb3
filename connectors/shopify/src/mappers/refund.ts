// Shopify Refund (read through its order) → canonical refund_receipt, linked to the
// order's sales receipt by `receipt_id` (the order GID). Amounts are positive: the
// receipt says how much went back.
//
// - Refunded lines: quantity, the line's unit price, amount = Shopify's subtotal (net of
//   discounts); the difference is the line discount. Tax per line from totalTaxSet.
// - Refunded shipping → shipping_total (tax into tax_total).
// - Order adjustments (refund discrepancies) become lines of their own; Shopify reports
//   them as negative amounts, so their sign is flipped.
// - Whatever still differs from the money actually refunded (totalRefundedSet) becomes an
//   "Unallocated refund amount" line, so the receipt total is the money returned.
import type { LineItem, RefundReceipt } from "@backfill-io/sdk";
import { MappingError } from "@backfill-io/oauth-helpers";
import { decimal, shopMinor, sumMinor } from "./money.js";
import type { ShopifyOrderRefunds, ShopifyRefund } from "./shopify-types.js";

export function refundToRefundReceipt(order: ShopifyOrderRefunds, refund: ShopifyRefund): { receipt: RefundReceipt; warnings: string[] } {
  const warnings: string[] = [];
  for (const [name, conn] of [
    ["refund line items", refund.refundLineItems],
    ["refund shipping lines", refund.refundShippingLines],
    ["order adjustments", refund.orderAdjustments],
  ] as const) {
    if (conn.pageInfo?.hasNextPage) throw new MappingError(`refund ${name} were not read to the end`);
  }
  const currency = refund.totalRefundedSet.shopMoney.currencyCode;
  const lines: LineItem[] = [];
  const amounts: bigint[] = [];
  const taxes: bigint[] = [];

  for (const r of refund.refundLineItems.nodes) {
    const what = `refund line ${r.id ?? r.lineItem.id}`;
    const unit = shopMinor(r.priceSet, currency, `${what} price`);
    const amount = shopMinor(r.subtotalSet, currency, `${what} subtotal`);
    const tax = shopMinor(r.totalTaxSet, currency, `${what} tax`);
    const discount = BigInt(r.quantity) * unit - amount;
    if (discount < 0n) throw new MappingError(`${what}: subtotal is more than quantity × price`);
    amounts.push(amount);
    taxes.push(tax);
    lines.push({
      ...(r.id ? { line_id: r.id } : {}),
      description: r.lineItem.name || r.lineItem.title,
      sku: r.lineItem.sku,
      quantity: String(r.quantity),
      unit_price: decimal(unit, currency),
      amount: decimal(amount, currency),
      ...(discount !== 0n ? { discount: decimal(discount, currency) } : {}),
      tax: decimal(tax, currency),
    });
  }

  for (const adj of refund.orderAdjustments.nodes) {
    const amount = -shopMinor(adj.amountSet, currency, `adjustment ${adj.id}`);
    const tax = -shopMinor(adj.taxAmountSet, currency, `adjustment ${adj.id} tax`);
    amounts.push(amount);
    taxes.push(tax);
    lines.push({
      line_id: adj.id,
      description: `Refund adjustment${adj.reason ? ` (${adj.reason.toLowerCase()})` : ""}`,
      quantity: "1",
      unit_price: decimal(amount, currency),
      amount: decimal(amount, currency),
      tax: decimal(tax, currency),
    });
  }

  const shipping = sumMinor(refund.refundShippingLines.nodes.map((s) => shopMinor(s.subtotalAmountSet, currency, `refund shipping ${s.id}`)));
  taxes.push(...refund.refundShippingLines.nodes.map((s) => shopMinor(s.taxAmountSet, currency, `refund shipping ${s.id} tax`)));
  const tax = sumMinor(taxes);
  const itemized = sumMinor(amounts) + shipping + (order.taxesIncluded ? 0n : tax);

  const refundedMoney = shopMinor(refund.totalRefundedSet, currency, "refund total");
  const unallocated = refundedMoney - itemized;
  if (unallocated !== 0n) {
    amounts.push(unallocated);
    lines.push({
      description: "Unallocated refund amount",
      quantity: "1",
      unit_price: decimal(unallocated, currency),
      amount: decimal(unallocated, currency),
    });
    warnings.push(`refunded ${decimal(refundedMoney, currency)} but itemized ${decimal(itemized, currency)}; the difference is an unallocated line`);
  }
  const subtotal = sumMinor(amounts);

  const receipt: RefundReceipt = {
    refund_id: refund.id,
    receipt_id: order.id,
    reason: refund.note,
    customer_id: order.customer?.id ?? null,
    issued_at: refund.processedAt,
    currency,
    line_items: lines,
    subtotal: decimal(subtotal, currency),
    shipping_total: decimal(shipping, currency),
    tax_total: decimal(tax, currency),
    taxes_included: order.taxesIncluded,
    total: decimal(refundedMoney, currency),
    provider_id: refund.id,
    provider_updated_at: refund.updatedAt,
  };
  return { receipt, warnings };
}
