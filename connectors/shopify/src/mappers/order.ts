// Shopify Order → canonical sales_receipt: the order as sold, in the shop currency.
//
// - Line amounts are net of every discount allocated to the line (line-level and
//   order-level discounts alike: Shopify allocates both to lines), so `discount_total`
//   is left out: nothing is discounted beyond the lines.
// - Units removed by an order edit are not sold: a line's quantity is
//   currentQuantity + refunded units (refunds are separate refund receipts, so refunded
//   units stay on the sale). A line with nothing left is left out; a partly removed
//   line keeps its discount and tax prorated to the units kept.
// - shipping_total is the discounted shipping price; tax_total is line + shipping tax.
// - With taxesIncluded, prices already contain tax and the total does not add it again.
import type { LineItem, SalesReceipt } from "@backfill-io/sdk";
import { MappingError } from "@backfill-io/oauth-helpers";
import { decimal, prorate, shopMinor, sumMinor } from "./money.js";
import type { ShopifyOrder } from "./shopify-types.js";

export function orderStatus(order: Pick<ShopifyOrder, "cancelledAt" | "displayFinancialStatus">): string {
  if (order.cancelledAt) return "cancelled";
  return (order.displayFinancialStatus ?? "pending").toLowerCase();
}

export function orderToSalesReceipt(order: ShopifyOrder): { receipt: SalesReceipt; warnings: string[] } {
  const warnings: string[] = [];
  // The routes read the rest of every connection first (src/lib/follow-ups.ts); an
  // order that still has more is never mapped from part of its items.
  if (order.lineItems.pageInfo?.hasNextPage) throw new MappingError("order line items were not read to the end");
  if (order.shippingLines.pageInfo?.hasNextPage) throw new MappingError("order shipping lines were not read to the end");
  if (order.refunds.some((r) => r.refundLineItems.pageInfo?.hasNextPage)) throw new MappingError("refund line items were not read to the end");
  const currency = order.totalPriceSet.shopMoney.currencyCode;

  const refunded = new Map<string, number>();
  for (const refund of order.refunds) {
    for (const r of refund.refundLineItems.nodes) refunded.set(r.lineItem.id, (refunded.get(r.lineItem.id) ?? 0) + r.quantity);
  }

  const lines: LineItem[] = [];
  const lineTaxes: bigint[] = [];
  const amounts: bigint[] = [];
  for (const li of order.lineItems.nodes) {
    const sold = Math.min(li.quantity, li.currentQuantity + (refunded.get(li.id) ?? 0));
    if (sold <= 0) continue; // removed by an order edit
    const unit = shopMinor(li.originalUnitPriceSet, currency, `line ${li.id} unit price`);
    const fullDiscount = sumMinor(li.discountAllocations.map((d, i) => shopMinor(d.allocatedAmountSet, currency, `line ${li.id} discount ${i}`)));
    const fullTax = sumMinor(li.taxLines.map((t, i) => shopMinor(t.priceSet, currency, `line ${li.id} tax ${i}`)));
    const discount = sold === li.quantity ? fullDiscount : prorate(fullDiscount, sold, li.quantity);
    const tax = sold === li.quantity ? fullTax : prorate(fullTax, sold, li.quantity);
    const amount = BigInt(sold) * unit - discount;
    amounts.push(amount);
    lineTaxes.push(tax);
    lines.push({
      line_id: li.id,
      description: li.name || li.title,
      sku: li.sku,
      quantity: String(sold),
      unit_price: decimal(unit, currency),
      amount: decimal(amount, currency),
      ...(discount !== 0n ? { discount: decimal(discount, currency) } : {}),
      ...(li.taxLines.length ? { tax: decimal(tax, currency) } : {}),
    });
  }

  const shipping = sumMinor(order.shippingLines.nodes.map((s, i) => shopMinor(s.discountedPriceSet, currency, `shipping ${i}`)));
  const shippingTax = sumMinor(order.shippingLines.nodes.flatMap((s, i) => s.taxLines.map((t, j) => shopMinor(t.priceSet, currency, `shipping ${i} tax ${j}`))));
  const subtotal = sumMinor(amounts);
  const tax = sumMinor(lineTaxes) + shippingTax;
  const total = subtotal + shipping + (order.taxesIncluded ? 0n : tax);

  const removedAny = order.lineItems.nodes.some((li) => li.currentQuantity + (refunded.get(li.id) ?? 0) < li.quantity);
  const shopifyTotal = shopMinor(order.totalPriceSet, currency, "order total");
  if (!removedAny && shopifyTotal !== total) {
    // Duties, tips and additional fees are not mapped; say so rather than hide it.
    warnings.push(`total ${decimal(total, currency)} differs from Shopify's totalPriceSet ${decimal(shopifyTotal, currency)}`);
  }

  const receipt: SalesReceipt = {
    receipt_id: order.id,
    receipt_number: order.name,
    status: orderStatus(order),
    customer_id: order.customer?.id ?? null,
    issued_at: order.processedAt,
    currency,
    line_items: lines,
    subtotal: decimal(subtotal, currency),
    shipping_total: decimal(shipping, currency),
    tax_total: decimal(tax, currency),
    taxes_included: order.taxesIncluded,
    total: decimal(total, currency),
    provider_id: order.id,
    provider_updated_at: order.updatedAt,
  };
  return { receipt, warnings };
}
