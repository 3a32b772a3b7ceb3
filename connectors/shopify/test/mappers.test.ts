// Pure mapper tests on Shopify-shaped fixtures: every record must pass the SDK's
// canonical schema (totals add up) and carry the expected amounts.
import { describe, expect, it } from "vitest";
import { customerSchema, refundReceiptSchema, salesReceiptSchema } from "@backfill-io/sdk";
import { customerToCanonical } from "../src/mappers/customer.js";
import { orderToSalesReceipt } from "../src/mappers/order.js";
import { refundToRefundReceipt } from "../src/mappers/refund.js";
import { MappingError } from "@backfill-io/oauth-helpers";
import { prorate } from "../src/mappers/money.js";
import type { ShopifyOrder, ShopifyOrderRefunds } from "../src/mappers/shopify-types.js";
import { fixture } from "./helpers.js";
import type { CustomersPageFixture, OrderRefundsPageFixture, OrdersPageFixture } from "./fixture-shapes.js";

const orders: ShopifyOrder[] = [...fixture<OrdersPageFixture>("orders-page-1.json").data.orders.nodes, ...fixture<OrdersPageFixture>("orders-page-2.json").data.orders.nodes];
const orderRefunds: ShopifyOrderRefunds[] = fixture<OrderRefundsPageFixture>("order-refunds-page.json").data.orders.nodes;
const byName = (name: string) => orders.find((o) => o.name === name)!;

describe("customer mapper", () => {
  it("maps the default address, email and phone", () => {
    const { customer, warnings } = customerToCanonical(fixture<CustomersPageFixture>("customers-page-1.json").data.customers.nodes[0]!);
    expect(warnings).toEqual([]);
    expect(customerSchema.parse(customer)).toMatchObject({
      customer_id: "gid://shopify/Customer/501",
      given_name: "Ayumi",
      family_name: "Tanaka",
      company_name: "Ayumi Design",
      email: "ayumi@example.com",
      phone: "+81312345678",
      billing_address: { line1: "1-2-3 Jingumae", city: "Shibuya", region: "JP-13", postal_code: "150-0001", country_code: "JP" },
      provider_updated_at: "2026-01-04T08:00:00Z",
    });
  });
  it("keeps a customer with no email, phone or address", () => {
    const { customer } = customerToCanonical(fixture<CustomersPageFixture>("customers-page-1.json").data.customers.nodes[1]!);
    expect(customerSchema.safeParse(customer).success).toBe(true);
    expect(customer).toMatchObject({ email: null, phone: null, billing_address: null });
  });
  it("drops an email the canonical schema refuses, not the customer", () => {
    const node = { ...fixture<CustomersPageFixture>("customers-page-1.json").data.customers.nodes[0]!, defaultEmailAddress: { emailAddress: "not an email" } };
    const { customer, warnings } = customerToCanonical(node);
    expect(customer.email).toBeNull();
    expect(warnings).toHaveLength(1);
  });
});

describe("order mapper (sales_receipt)", () => {
  it("USD: keeps refunded units, drops removed ones, prorates a partly removed line", () => {
    const { receipt, warnings } = orderToSalesReceipt(byName("#1001"));
    expect(salesReceiptSchema.safeParse(receipt).error?.issues ?? []).toEqual([]);
    expect(warnings).toEqual([]);
    expect(receipt.line_items!.map((l) => [l.line_id, l.quantity, l.unit_price, l.discount, l.amount, l.tax])).toEqual([
      // 1 of 3 refunded: all 3 stay on the sale (the refund receipt reverses one)
      ["gid://shopify/LineItem/9001", "3", "25.00", "4.50", "70.50", "5.64"],
      // the mug (currentQuantity 0, never refunded) was removed by an edit: left out
      // 1 of 4 removed: discount 1.00 and tax 0.80 prorated to 3 units
      ["gid://shopify/LineItem/9003", "3", "2.50", "0.75", "6.75", "0.60"],
    ]);
    expect(receipt).toMatchObject({
      receipt_id: "gid://shopify/Order/1001",
      receipt_number: "#1001",
      status: "partially_refunded",
      customer_id: "gid://shopify/Customer/501",
      currency: "USD",
      subtotal: "77.25",
      shipping_total: "5.00",
      tax_total: "6.64",
      taxes_included: false,
      total: "88.89",
    });
    expect(receipt.discount_total).toBeUndefined();
  });

  it("JPY guest checkout with taxes included: zero decimals, no customer, tax not added again", () => {
    const { receipt, warnings } = orderToSalesReceipt(byName("#1002"));
    expect(salesReceiptSchema.safeParse(receipt).error?.issues ?? []).toEqual([]);
    expect(warnings).toEqual([]);
    expect(receipt).toMatchObject({
      customer_id: null,
      currency: "JPY",
      subtotal: "2700",
      shipping_total: "500",
      tax_total: "290",
      taxes_included: true,
      total: "3200",
    });
    expect(receipt.line_items![0]).toMatchObject({ quantity: "2", unit_price: "1500", discount: "300", amount: "2700", tax: "245" });
  });

  it("EUR: amounts in two decimals and the total matches Shopify's", () => {
    const { receipt, warnings } = orderToSalesReceipt(byName("#1003"));
    expect(salesReceiptSchema.safeParse(receipt).success).toBe(true);
    expect(warnings).toEqual([]);
    expect(receipt).toMatchObject({ currency: "EUR", subtotal: "40.00", shipping_total: "4.90", total: "44.90", status: "paid" });
  });

  it("a cancelled order is kept with status cancelled", () => {
    const { receipt } = orderToSalesReceipt({ ...byName("#1003"), cancelledAt: "2026-01-06T00:00:00Z", displayFinancialStatus: "REFUNDED" });
    expect(receipt.status).toBe("cancelled");
  });

  it("warns when its total differs from Shopify's (e.g. a tip it does not map)", () => {
    const order = byName("#1003");
    const { warnings } = orderToSalesReceipt({ ...order, totalPriceSet: { shopMoney: { amount: "46.9", currencyCode: "EUR" } } });
    expect(warnings[0]).toMatch(/differs from Shopify's totalPriceSet 46.90/);
  });

  it("refuses an order whose line items do not fit one request", () => {
    const order = byName("#1003");
    expect(() => orderToSalesReceipt({ ...order, lineItems: { ...order.lineItems, pageInfo: { hasNextPage: true } } })).toThrow(MappingError);
  });

  it("refuses an amount with more decimals than the currency has", () => {
    const order = byName("#1002");
    const line = { ...order.lineItems.nodes[0]!, originalUnitPriceSet: { shopMoney: { amount: "1500.5", currencyCode: "JPY" } } };
    expect(() => orderToSalesReceipt({ ...order, lineItems: { ...order.lineItems, nodes: [line] } })).toThrow(/not a JPY amount/);
  });
});

describe("refund mapper (refund_receipt)", () => {
  const receipts = orderRefunds.flatMap((o) => o.refunds.map((r) => refundToRefundReceipt(o, r).receipt));
  const byId = (n: number) => receipts.find((r) => r.refund_id === `gid://shopify/Refund/${n}`)!;

  it("every refund passes the canonical schema and links to its order's receipt", () => {
    for (const r of receipts) expect(refundReceiptSchema.safeParse(r).error?.issues ?? []).toEqual([]);
    expect(receipts.map((r) => [r.refund_id, r.receipt_id])).toEqual([
      ["gid://shopify/Refund/801", "gid://shopify/Order/1001"],
      ["gid://shopify/Refund/802", "gid://shopify/Order/1001"],
      ["gid://shopify/Refund/803", "gid://shopify/Order/1002"],
      ["gid://shopify/Refund/804", "gid://shopify/Order/1003"],
    ]);
  });

  it("partial refund of one unit: discount and tax of that unit", () => {
    expect(byId(801)).toMatchObject({ customer_id: "gid://shopify/Customer/501", reason: "Wrong size", subtotal: "23.50", tax_total: "1.88", total: "25.38" });
    expect(byId(801).line_items![0]).toMatchObject({ quantity: "1", unit_price: "25.00", discount: "1.50", amount: "23.50", tax: "1.88" });
  });

  it("a second refund on the same order: shipping and a discrepancy adjustment", () => {
    expect(byId(802)).toMatchObject({ shipping_total: "5.00", tax_total: "0.40", subtotal: "2.00", total: "7.40" });
    expect(byId(802).line_items![0]).toMatchObject({ description: "Refund adjustment (refund_discrepancy)", amount: "2.00" });
  });

  it("JPY guest refund with taxes included", () => {
    expect(byId(803)).toMatchObject({ customer_id: null, currency: "JPY", subtotal: "1350", tax_total: "122", total: "1350" });
  });

  it("money refunded below the itemized amount becomes an unallocated line", () => {
    const r = byId(804);
    expect(r.total).toBe("30.00");
    expect(r.line_items!.at(-1)).toMatchObject({ description: "Unallocated refund amount", amount: "-10.00" });
  });
});

describe("prorate", () => {
  it("rounds half away from zero in minor units", () => {
    expect(prorate(100n, 3, 4)).toBe(75n);
    expect(prorate(1n, 1, 2)).toBe(1n);
    expect(prorate(-1n, 1, 2)).toBe(-1n);
    expect(prorate(10n, 1, 3)).toBe(3n);
  });
});
