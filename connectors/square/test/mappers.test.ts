import { describe, expect, it } from "vitest";
import { customerSchema, refundReceiptSchema, salesReceiptSchema } from "@backfill-io/sdk";
import { mapOrder } from "../src/mappers/order.js";
import { mapCustomer } from "../src/mappers/customer.js";
import { mapRefund } from "../src/mappers/refund.js";
import { MappingError } from "@backfill-io/oauth-helpers";
import { fixture } from "./helpers.js";
import type { CustomersFixture, OrdersFixture, RefundsFixture } from "./fixture-shapes.js";

describe("mapOrder: money in the currency's exponent, totals that add up", () => {
  it("USD (2 decimals): modifiers in the unit price, line discounts, additive tax, service charge + tip", () => {
    const receipt = mapOrder(fixture<OrdersFixture>("orders-search-usd.json").orders[0]!);
    expect(salesReceiptSchema.safeParse(receipt).success).toBe(true);
    expect(receipt).toMatchObject({
      receipt_id: "CAISENgvlJ6jLWAzERDzjyHVybY",
      receipt_number: "table-12",
      status: "COMPLETED",
      customer_id: "JDKYHBWT1D4F8MFH63DBMEN8Y4",
      currency: "USD",
      subtotal: "12.37",
      tax_total: "1.06",
      shipping_total: "3.35",
      total: "16.78",
      issued_at: "2024-04-02T18:31:11.000Z",
    });
    expect(receipt.line_items).toEqual([
      { line_id: "a8f7c3b0-line-latte", description: "Latte (Large)", sku: null, quantity: "2", unit_price: "5.00", amount: "9.00", discount: "1.00", tax: "0.77" },
      { line_id: "c13b5f1e-line-croissant", description: "Croissant", sku: null, quantity: "1", unit_price: "3.75", amount: "3.37", discount: "0.38", tax: "0.29" },
    ]);
  });

  it("JPY (0 decimals): tax-inclusive prices", () => {
    const receipt = mapOrder(fixture<OrdersFixture>("orders-search-jpy.json").orders[0]!);
    expect(salesReceiptSchema.safeParse(receipt).success).toBe(true);
    expect(receipt).toMatchObject({ currency: "JPY", subtotal: "1650", tax_total: "150", taxes_included: true, shipping_total: "0", total: "1650" });
    expect(receipt.line_items?.[0]).toMatchObject({ quantity: "3", unit_price: "550", amount: "1650" });
  });

  it("KWD (3 decimals): 1250 minor units is 1.250, not 12.50", () => {
    const receipt = mapOrder(fixture<OrdersFixture>("orders-search-kwd.json").orders[0]!);
    expect(salesReceiptSchema.safeParse(receipt).success).toBe(true);
    expect(receipt).toMatchObject({ currency: "KWD", subtotal: "5.500", shipping_total: "0.500", tax_total: "0.000", total: "6.000" });
    expect(receipt.line_items?.map((l) => [l.unit_price, l.amount, l.discount])).toEqual([
      ["1.250", "2.500", undefined],
      ["3.125", "3.000", "0.125"],
    ]);
  });

  it("refuses mixed inclusive and additive taxes instead of guessing", () => {
    const order = fixture<OrdersFixture>("orders-search-usd.json").orders[0]!;
    order.taxes!.push({ uid: "vat", type: "INCLUSIVE", applied_money: { amount: 10, currency: "USD" } });
    expect(() => mapOrder(order)).toThrow(MappingError);
  });

  it("refuses an order whose parts do not make Square's total", () => {
    const order = fixture<OrdersFixture>("orders-search-usd.json").orders[0]!;
    order.total_money!.amount! += 1;
    expect(() => mapOrder(order)).toThrow(/total_money 16.79/);
  });

  it("refuses an order mixing currencies", () => {
    const order = fixture<OrdersFixture>("orders-search-usd.json").orders[0]!;
    order.line_items![1]!.gross_sales_money!.currency = "EUR";
    expect(() => mapOrder(order)).toThrow(/mixes currencies/);
  });

  it("measured (fractional) quantities keep Square's gross as the amount", () => {
    const order = fixture<OrdersFixture>("orders-search-kwd.json").orders[0]!;
    order.line_items![0]!.quantity = "1.5";
    order.line_items![0]!.gross_sales_money!.amount = 1875;
    order.total_money!.amount = 1875 + 3000 + 500;
    const receipt = mapOrder(order);
    expect(salesReceiptSchema.safeParse(receipt).success).toBe(true);
    expect(receipt.line_items?.[0]).toMatchObject({ quantity: "1.5", unit_price: "1.250", amount: "1.875" });
  });
});

describe("mapCustomer", () => {
  it("maps names, contact and address", () => {
    const c = mapCustomer(fixture<CustomersFixture>("customers-list-page1.json").customers[0]!);
    expect(customerSchema.safeParse(c).success).toBe(true);
    expect(c).toMatchObject({
      customer_id: "JDKYHBWT1D4F8MFH63DBMEN8Y4",
      display_name: "Amelia Earhart",
      email: "Amelia.Earhart@example.com",
      phone: "+1-212-555-4240",
      billing_address: { line1: "500 Electric Ave", line2: "Suite 600", city: "New York", region: "NY", postal_code: "10003", country_code: "US" },
      provider_updated_at: "2024-02-01T09:12:01Z",
    });
  });

  it("drops what the canonical schema cannot hold (an invalid email, Square's ZZ country)", () => {
    const c = mapCustomer(fixture<CustomersFixture>("customers-list-page2.json").customers[0]!);
    expect(customerSchema.safeParse(c).success).toBe(true);
    expect(c).toMatchObject({ display_name: "Kaffee Kontor GmbH", email: null, billing_address: { city: "Hamburg", country_code: null } });
  });
});

describe("mapRefund", () => {
  it("links to the refunded payment's order and converts the amount", () => {
    const r = mapRefund(fixture<RefundsFixture>("refunds-list.json").refunds[0]!, "CAISENgvlJ6jLWAzERDzjyHVybY");
    expect(refundReceiptSchema.safeParse(r).success).toBe(true);
    expect(r).toMatchObject({ receipt_id: "CAISENgvlJ6jLWAzERDzjyHVybY", total: "5.55", currency: "USD", reason: "Example Refund" });
  });

  it("refuses a refund with no order to link to", () => {
    expect(() => mapRefund(fixture<RefundsFixture>("refunds-list.json").refunds[0]!, undefined)).toThrow(MappingError);
  });
});
