// The shapes of the nodes our documents select (src/lib/documents.ts), as Shopify returns them.
export type Money = { amount: string; currencyCode: string };
export type MoneyBag = { shopMoney: Money };
export type Connection<T> = { pageInfo?: { hasNextPage: boolean; endCursor?: string | null }; nodes: T[] };

export type ShopifyCustomer = {
  id: string;
  displayName: string;
  firstName: string | null;
  lastName: string | null;
  defaultEmailAddress: { emailAddress: string } | null;
  defaultPhoneNumber: { phoneNumber: string } | null;
  defaultAddress: {
    company: string | null;
    address1: string | null;
    address2: string | null;
    city: string | null;
    province: string | null;
    provinceCode: string | null;
    zip: string | null;
    countryCodeV2: string | null;
  } | null;
  createdAt: string;
  updatedAt: string;
};

export type ShopifyLineItem = {
  id: string;
  title: string;
  name: string;
  sku: string | null;
  quantity: number;
  currentQuantity: number;
  originalUnitPriceSet: MoneyBag;
  discountAllocations: { allocatedAmountSet: MoneyBag }[];
  taxLines: { priceSet: MoneyBag }[];
};

export type ShopifyShippingLine = {
  discountedPriceSet: MoneyBag;
  taxLines: { priceSet: MoneyBag }[];
};

export type ShopifyOrder = {
  id: string;
  name: string;
  processedAt: string;
  updatedAt: string;
  cancelledAt: string | null;
  displayFinancialStatus: string | null;
  taxesIncluded: boolean;
  customer: { id: string } | null;
  totalPriceSet: MoneyBag;
  lineItems: Connection<ShopifyLineItem>;
  shippingLines: Connection<ShopifyShippingLine>;
  /** Whole refunds: the order mapper reads their quantities, the refund mapper the rest. */
  refunds: ShopifyRefund[];
};

export type ShopifyRefund = {
  id: string;
  processedAt: string;
  updatedAt: string;
  note: string | null;
  totalRefundedSet: MoneyBag;
  refundLineItems: Connection<{
    id: string | null;
    quantity: number;
    priceSet: MoneyBag;
    subtotalSet: MoneyBag;
    totalTaxSet: MoneyBag;
    lineItem: { id: string; title: string; name: string; sku: string | null };
  }>;
  refundShippingLines: Connection<{ id: string; subtotalAmountSet: MoneyBag; taxAmountSet: MoneyBag }>;
  orderAdjustments: Connection<{ id: string; reason: string | null; amountSet: MoneyBag; taxAmountSet: MoneyBag }>;
};

export type ShopifyOrderRefunds = {
  id: string;
  updatedAt: string;
  taxesIncluded: boolean;
  customer: { id: string } | null;
  refunds: ShopifyRefund[];
};
