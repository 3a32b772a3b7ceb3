// Canonical entities, shaped as an accounting system consumes them. Money is a decimal
// string in the currency's own precision; totals are checked to add up in minor units.
import { z } from "zod";
import { currencyExponent, decimalToMinor, isCurrencyCode, isMoneyInPrecision } from "./money.js";

const isoDateTime = z.iso.datetime({ offset: true });
const currency = z.string().refine(isCurrencyCode, { message: "must be an ISO 4217 currency code like USD" });
const money = z.string().regex(/^-?\d+(\.\d+)?$/, "must be a decimal string like 42.00");
const providerFields = {
  /** The provider's own stable id (e.g. a GraphQL global id). */
  provider_id: z.string().min(1).optional(),
  /** The provider's last-modified time, for incremental syncs. */
  provider_updated_at: isoDateTime.optional(),
};

export const addressSchema = z.object({
  line1: z.string().nullish(),
  line2: z.string().nullish(),
  city: z.string().nullish(),
  region: z.string().nullish(),
  postal_code: z.string().nullish(),
  country_code: z.string().length(2).nullish(),
});

// Unknown payload keys are dropped (zod's default), not rejected: providers add fields freely.
export const customerSchema = z.object({
  customer_id: z.string().min(1),
  display_name: z.string().nullish(),
  given_name: z.string().nullish(),
  family_name: z.string().nullish(),
  company_name: z.string().nullish(),
  email: z.string().email().nullish(),
  phone: z.string().nullish(),
  currency: currency.nullish(),
  billing_address: addressSchema.nullish(),
  created_at: isoDateTime.optional(),
  ...providerFields,
});

export const lineItemSchema = z.object({
  line_id: z.string().min(1).optional(),
  description: z.string(),
  sku: z.string().nullish(),
  quantity: z.string().regex(/^\d+(\.\d+)?$/, "must be a non-negative decimal string like 2"),
  unit_price: money,
  /** quantity × unit_price − discount, before tax. */
  amount: money,
  discount: money.optional(),
  tax: money.optional(),
});

const receiptBase = {
  customer_id: z.string().min(1).nullish(),
  issued_at: isoDateTime.optional(),
  currency,
  line_items: z.array(lineItemSchema).optional(),
  /** Sum of line amounts (already net of line discounts). */
  subtotal: money.optional(),
  /** Order-level discounts NOT already taken off line amounts; leave out when lines carry them. */
  discount_total: money.optional(),
  shipping_total: money.optional(),
  tax_total: money.optional(),
  /** Tax is included in line prices (common outside the US): total does not add tax again. */
  taxes_included: z.boolean().optional(),
  total: money,
  ...providerFields,
};

type Totals = {
  currency: string;
  line_items?: z.infer<typeof lineItemSchema>[] | undefined;
  subtotal?: string | undefined;
  discount_total?: string | undefined;
  shipping_total?: string | undefined;
  tax_total?: string | undefined;
  taxes_included?: boolean | undefined;
  total: string;
};

/** Money precision and totals that add up, checked in integer minor units. */
function checkTotals(value: Totals, ctx: z.RefinementCtx) {
  if (!isCurrencyCode(value.currency)) return;
  const cur = value.currency;
  const exp = currencyExponent(cur);
  const precise = (amount: string | undefined, path: (string | number)[]) => {
    if (amount === undefined) return true;
    if (isMoneyInPrecision(amount, cur)) return true;
    ctx.addIssue({ code: "custom", path, message: `must have exactly ${exp} decimal place${exp === 1 ? "" : "s"} for ${cur}` });
    return false;
  };
  let ok = true;
  for (const key of ["subtotal", "discount_total", "shipping_total", "tax_total", "total"] as const) ok = precise(value[key], [key]) && ok;
  value.line_items?.forEach((line, i) => {
    for (const key of ["unit_price", "amount", "discount", "tax"] as const) ok = precise(line[key], ["line_items", i, key]) && ok;
  });
  if (!ok) return;
  const m = (a: string | undefined) => (a === undefined ? 0n : decimalToMinor(a, cur));
  value.line_items?.forEach((line, i) => {
    if (!/^\d+$/.test(line.quantity)) return;
    const expected = BigInt(line.quantity) * m(line.unit_price) - m(line.discount);
    if (expected !== m(line.amount)) {
      ctx.addIssue({
        code: "custom",
        path: ["line_items", i, "amount"],
        message: `must equal quantity × unit_price − discount (${line.quantity} × ${line.unit_price} − ${line.discount ?? "0"})`,
      });
    }
  });
  if (value.line_items && value.subtotal !== undefined) {
    const sum = value.line_items.reduce((acc, l) => acc + m(l.amount), 0n);
    if (sum !== m(value.subtotal)) ctx.addIssue({ code: "custom", path: ["subtotal"], message: "must equal the sum of line_items amounts" });
  }
  if (value.subtotal !== undefined) {
    const tax = value.taxes_included ? 0n : m(value.tax_total);
    const expected = m(value.subtotal) - m(value.discount_total) + m(value.shipping_total) + tax;
    if (expected !== m(value.total)) {
      ctx.addIssue({ code: "custom", path: ["total"], message: `must equal subtotal − discount_total + shipping_total${value.taxes_included ? "" : " + tax_total"}` });
    }
  }
}

export const salesReceiptSchema = z
  .object({
    receipt_id: z.string().min(1),
    receipt_number: z.string().nullish(),
    status: z.string().nullish(),
    ...receiptBase,
  })
  .superRefine(checkTotals);

export const refundReceiptSchema = z
  .object({
    refund_id: z.string().min(1),
    /**
     * The original sales receipt this refund reverses; null for a refund no sale links to
     * (unlinked refunds: money returned without a payment), whose `reason` says why.
     */
    receipt_id: z.string().min(1).nullable(),
    reason: z.string().nullish(),
    ...receiptBase,
  })
  .superRefine(checkTotals);

export type Customer = z.infer<typeof customerSchema>;
export type SalesReceipt = z.infer<typeof salesReceiptSchema>;
export type RefundReceipt = z.infer<typeof refundReceiptSchema>;
export type LineItem = z.infer<typeof lineItemSchema>;
