// Square Order → canonical sales_receipt, with totals that add up in minor units:
//   line amount  = quantity × unit_price − discount   (Square apportions order-level
//                  discounts to lines, so every discount is a line discount)
//   subtotal     = Σ line amounts
//   shipping     = service charges + tip + cash rounding (whatever Square adds on top)
//   total        = subtotal + shipping + tax (tax only when it is ADDITIVE)
// When Square's own total_money does not come out of those parts, the order is not
// guessed at: it throws a MappingError and the route reports it.
import type { LineItem, SalesReceipt } from "@backfill-io/sdk";
import type { SquareOrder, SquareOrderLineItem } from "../lib/square-types.js";
import { MappingError } from "@backfill-io/oauth-helpers";
import { currencyOf, decimal, minor } from "./money.js";

function lineDescription(li: SquareOrderLineItem): string {
  const name = li.name?.trim() || (li.item_type === "CUSTOM_AMOUNT" ? "Custom amount" : "Item");
  return li.variation_name && li.variation_name !== name && li.variation_name !== "Regular" ? `${name} (${li.variation_name})` : name;
}

function mapLine(li: SquareOrderLineItem, currency: string, orderId: string): { line: LineItem; amount: bigint } {
  const id = `${orderId} line ${li.uid ?? "?"}`;
  const base = minor(li.base_price_money, currency, id);
  const gross = li.gross_sales_money ? minor(li.gross_sales_money, currency, id) : li.variation_total_price_money ? minor(li.variation_total_price_money, currency, id) : null;
  const discount = minor(li.total_discount_money, currency, id);
  const tax = minor(li.total_tax_money, currency, id);
  const wholeQuantity = /^\d+$/.test(li.quantity) ? BigInt(li.quantity) : null;

  let quantity = li.quantity;
  let unit: bigint;
  let description = lineDescription(li);
  if (gross === null) {
    if (wholeQuantity === null) throw new MappingError(`${id}: has fractional quantity ${li.quantity} and no gross_sales_money`);
    unit = base;
  } else if (wholeQuantity !== null && wholeQuantity > 0n && gross % wholeQuantity === 0n) {
    unit = gross / wholeQuantity; // base price plus modifiers, per unit
  } else if (wholeQuantity === 0n) {
    unit = base;
  } else if (wholeQuantity === null) {
    // Measured quantities (e.g. 1.25 kg): Square rounds gross per line; keep its gross as the amount.
    unit = base;
  } else {
    // Per-unit price not a whole minor unit: one line of quantity 1 at the line's gross.
    quantity = "1";
    unit = gross;
    description = `${description} (× ${li.quantity})`;
  }
  const grossAmount = gross ?? unit * (wholeQuantity ?? 1n);
  const amount = grossAmount - discount;
  return {
    amount,
    line: {
      ...(li.uid ? { line_id: li.uid } : {}),
      description,
      sku: null,
      quantity,
      unit_price: decimal(unit, currency),
      amount: decimal(amount, currency),
      ...(discount ? { discount: decimal(discount, currency) } : {}),
      ...(tax ? { tax: decimal(tax, currency) } : {}),
    },
  };
}

function taxesIncluded(order: SquareOrder, taxTotal: bigint): boolean {
  const types = new Set((order.taxes ?? []).map((t) => t.type ?? "ADDITIVE"));
  if (types.has("INCLUSIVE") && types.has("ADDITIVE")) {
    throw new MappingError(`${order.id}: mixes INCLUSIVE and ADDITIVE taxes, which one sales receipt cannot express (taxes_included is all or nothing)`);
  }
  return taxTotal !== 0n && types.has("INCLUSIVE");
}

export function mapOrder(order: SquareOrder): SalesReceipt {
  const lines = order.line_items ?? [];
  const currency = currencyOf(order.id, order.total_money, ...lines.map((l) => l.total_money ?? l.base_price_money));
  const total = minor(order.total_money, currency, order.id);
  const tax = minor(order.total_tax_money, currency, order.id);
  const included = taxesIncluded(order, tax);

  const receipt: SalesReceipt = {
    receipt_id: order.id,
    receipt_number: order.reference_id ?? null,
    status: order.state ?? null,
    customer_id: order.customer_id ?? null,
    ...(order.closed_at || order.created_at ? { issued_at: (order.closed_at ?? order.created_at)! } : {}),
    currency,
    total: decimal(total, currency),
    tax_total: decimal(tax, currency),
    ...(included ? { taxes_included: true } : {}),
    provider_id: order.id,
    ...(order.updated_at ? { provider_updated_at: order.updated_at } : {}),
  };
  if (!lines.length) return receipt; // nothing itemized: total (and tax) only

  const mapped = lines.map((li) => mapLine(li, currency, order.id));
  const subtotal = mapped.reduce((acc, m) => acc + m.amount, 0n);
  const extras = total - subtotal - (included ? 0n : tax);
  const service = minor(order.total_service_charge_money, currency, order.id);
  const tip = minor(order.total_tip_money, currency, order.id);
  const rounding = minor(order.rounding_adjustment?.amount_money, currency, order.id);
  if (extras !== service + tip + rounding && extras !== service + rounding) {
    throw new MappingError(
      `${order.id}: total_money ${decimal(total, currency)} ≠ lines ${decimal(subtotal, currency)} + tax ${decimal(included ? 0n : tax, currency)} + service charges ${decimal(service, currency)} + tip ${decimal(tip, currency)} + rounding ${decimal(rounding, currency)}`,
    );
  }
  return {
    ...receipt,
    line_items: mapped.map((m) => m.line),
    subtotal: decimal(subtotal, currency),
    shipping_total: decimal(extras, currency),
  };
}

export const orderIdempotencyKey = (r: { receipt_id: string }) => `square:order:${r.receipt_id}`;
