// What each provider scope lets the app do, in the merchant's words (the connect page lists
// them). A scope missing here is shown by its name.
const SCOPE_WORDS: Record<string, Record<string, string>> = {
  shopify: {
    read_customers: "Read your customers (names, emails, addresses)",
    read_orders: "Read your orders and refunds",
  },
  square: {
    MERCHANT_PROFILE_READ: "Read your business profile and locations",
    CUSTOMERS_READ: "Read your customer directory",
    ORDERS_READ: "Read your orders",
    PAYMENTS_READ: "Read your payments and refunds",
  },
};

export function describeScope(provider: string, scope: string): string {
  return SCOPE_WORDS[provider]?.[scope] ?? scope;
}
