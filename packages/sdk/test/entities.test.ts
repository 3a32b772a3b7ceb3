import { describe, expect, it } from "vitest";
import { currencyExponent, decimalToMinor, entityJsonSchemas, formatMoney, minorToDecimal, refundReceiptSchema, salesReceiptSchema } from "../src/index.js";

describe("money", () => {
  it("uses each currency's own precision", () => {
    expect([currencyExponent("JPY"), currencyExponent("USD"), currencyExponent("KWD")]).toEqual([0, 2, 3]);
    expect(minorToDecimal(1500, "JPY")).toBe("1500");
    expect(minorToDecimal(1500, "USD")).toBe("15.00");
    expect(minorToDecimal(1500, "KWD")).toBe("1.500");
    expect(minorToDecimal(-5, "USD")).toBe("-0.05");
    expect(formatMoney("42.0", "USD")).toBe("42.00");
    expect(formatMoney("1000.0", "JPY")).toBe("1000");
    expect(decimalToMinor("1.5", "KWD")).toBe(1500n);
  });

  it("refuses to round silently", () => {
    expect(() => decimalToMinor("10.5", "JPY")).toThrow(/more decimals than JPY/);
    expect(() => decimalToMinor("abc", "USD")).toThrow(/not a decimal/);
  });
});

const receipt = {
  receipt_id: "shopify:order:1",
  customer_id: null,
  issued_at: "2026-11-01T10:00:00Z",
  currency: "USD",
  line_items: [
    { description: "Hat", quantity: "2", unit_price: "10.00", amount: "20.00" },
    { description: "Scarf", quantity: "1", unit_price: "15.00", discount: "5.00", amount: "10.00" },
  ],
  subtotal: "30.00",
  shipping_total: "5.00",
  tax_total: "2.50",
  total: "37.50",
};

describe("canonical entities", () => {
  it("accepts a receipt whose totals add up", () => {
    expect(salesReceiptSchema.safeParse(receipt).success).toBe(true);
    expect(salesReceiptSchema.safeParse({ receipt_id: "r", customer_id: "c", total: "42.00", currency: "USD" }).success).toBe(true);
  });

  it("names the field when totals do not add up", () => {
    const bad = salesReceiptSchema.safeParse({ ...receipt, total: "40.00" });
    expect(bad.success).toBe(false);
    expect(bad.error?.issues[0]?.path).toEqual(["total"]);
    const line = salesReceiptSchema.safeParse({ ...receipt, line_items: [{ ...receipt.line_items[0]!, amount: "19.00" }], subtotal: undefined });
    expect(line.error?.issues[0]?.path).toEqual(["line_items", 0, "amount"]);
  });

  it("checks precision per currency", () => {
    expect(salesReceiptSchema.safeParse({ receipt_id: "r", total: "1000", currency: "JPY" }).success).toBe(true);
    expect(salesReceiptSchema.safeParse({ receipt_id: "r", total: "1000.00", currency: "JPY" }).success).toBe(false);
    expect(salesReceiptSchema.safeParse({ receipt_id: "r", total: "1.500", currency: "KWD" }).success).toBe(true);
    expect(salesReceiptSchema.safeParse({ receipt_id: "r", total: "1.50", currency: "KWD" }).success).toBe(false);
    expect(salesReceiptSchema.safeParse({ receipt_id: "r", total: "1.00", currency: "XYZ" }).success).toBe(false);
  });

  it("taxes_included totals do not add tax again", () => {
    expect(salesReceiptSchema.safeParse({ ...receipt, taxes_included: true, total: "35.00" }).success).toBe(true);
  });

  it("a refund links to its receipt", () => {
    expect(refundReceiptSchema.safeParse({ refund_id: "f1", currency: "USD", total: "5.00" }).success).toBe(false);
    expect(refundReceiptSchema.safeParse({ refund_id: "f1", receipt_id: "r1", currency: "USD", total: "5.00" }).success).toBe(true);
  });

  it("a refund no sale links to (an unlinked refund) says so explicitly: receipt_id null, never absent or empty", () => {
    expect(refundReceiptSchema.safeParse({ refund_id: "f1", receipt_id: null, reason: "Goodwill", currency: "USD", total: "5.00" }).success).toBe(true);
    expect(refundReceiptSchema.safeParse({ refund_id: "f1", receipt_id: "", currency: "USD", total: "5.00" }).success).toBe(false);
    expect(salesReceiptSchema.safeParse({ receipt_id: null, currency: "USD", total: "5.00" }).success).toBe(false);
  });

  it("exports JSON Schema", () => {
    const schemas = entityJsonSchemas() as Record<string, { properties: Record<string, unknown> }>;
    expect(Object.keys(schemas)).toEqual(["customer", "sales_receipt", "refund_receipt"]);
    expect(schemas.sales_receipt!.properties).toHaveProperty("line_items");
  });
});
