import { describe, expect, it } from "vitest";
import { ShopifyEmulatorState, formatShopifyDecimal } from "../src/shopify/index.js";

function seeded(seed: number) {
  return new ShopifyEmulatorState({ seed, shops: ["acme"], customers: 40, orders: 200 }).shop("acme");
}

describe("seeded Shopify data", () => {
  it("is identical for the same seed and differs for another", () => {
    const strip = (s: ReturnType<typeof seeded>) => JSON.stringify({ c: s.customers, o: s.orders });
    expect(strip(seeded(3))).toBe(strip(seeded(3)));
    expect(strip(seeded(3))).not.toBe(strip(seeded(4)));
  });

  it("adds up: lines, discounts, shipping and taxes make the total; refunds never exceed the line", () => {
    for (const order of seeded(5).orders) {
      for (const side of ["shop", "presentment"] as const) {
        const net = order.lineItems.reduce((n, li) => n + li.unitPrice[side] * li.currentQuantity - li.discount[side], 0);
        const tax = order.lineItems.reduce((n, li) => n + li.tax[side], 0);
        expect(order.subtotal[side]).toBe(net);
        expect(order.totalTax[side]).toBe(tax);
        expect(order.total[side]).toBe(net + order.totalShipping[side] + (order.taxesIncluded ? 0 : tax));
        for (const li of order.lineItems) {
          const refunded = order.refunds.flatMap((r) => r.lineItems).filter((r) => r.lineItemId === li.id);
          expect(refunded.reduce((n, r) => n + r.quantity, 0)).toBeLessThanOrEqual(li.currentQuantity);
          expect(refunded.reduce((n, r) => n + r.subtotal[side], 0)).toBeLessThanOrEqual(li.unitPrice[side] * li.currentQuantity - li.discount[side]);
        }
        if (order.displayFinancialStatus === "REFUNDED") {
          const refundedTotal = order.refunds.reduce((n, r) => n + r.totalRefunded[side], 0);
          expect(refundedTotal).toBe(order.total[side]);
        }
      }
      for (const refund of order.refunds) expect(refund.createdAt >= order.createdAt && refund.createdAt <= order.updatedAt).toBe(true);
    }
  });

  it("formats amounts like Shopify's Decimal", () => {
    expect(formatShopifyDecimal(1050, "USD")).toBe("10.5");
    expect(formatShopifyDecimal(1000, "USD")).toBe("10.0");
    expect(formatShopifyDecimal(1234, "EUR")).toBe("12.34");
    expect(formatShopifyDecimal(1500, "JPY")).toBe("1500.0");
  });
});
