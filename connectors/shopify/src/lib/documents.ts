// Every GraphQL document the connector sends, in one place, so a test can validate
// each against Shopify's real Admin schema for ADMIN_API_VERSION.

/** The Admin API version: the one place it is named. */
export const ADMIN_API_VERSION = "2026-10";

/** Nested page sizes. An order with more children than these is reported, not guessed at. */
export const MAX_LINE_ITEMS = 50;
export const MAX_SHIPPING_LINES = 5;
export const MAX_REFUNDS = 10;
export const MAX_REFUND_LINE_ITEMS = 50;

const SHOP_MONEY = "shopMoney { amount currencyCode }";

export const SHOP_QUERY = /* GraphQL */ `
  query BackfillShop {
    shop { id name myshopifyDomain currencyCode }
  }
`;

const CUSTOMER_FIELDS = /* GraphQL */ `
  fragment BackfillCustomer on Customer {
    id
    displayName
    firstName
    lastName
    defaultEmailAddress { emailAddress }
    defaultPhoneNumber { phoneNumber }
    defaultAddress { company address1 address2 city province provinceCode zip countryCodeV2 }
    createdAt
    updatedAt
  }
`;

export const CUSTOMERS_QUERY = /* GraphQL */ `
  query BackfillCustomers($first: Int!, $after: String, $query: String) {
    customers(first: $first, after: $after, query: $query, sortKey: UPDATED_AT) {
      pageInfo { hasNextPage endCursor }
      nodes { ...BackfillCustomer }
    }
  }
  ${CUSTOMER_FIELDS}
`;

export const CUSTOMER_QUERY = /* GraphQL */ `
  query BackfillCustomer($id: ID!) {
    customer(id: $id) { ...BackfillCustomer }
  }
  ${CUSTOMER_FIELDS}
`;

// The order as sold. Refunded quantities are selected so that a line's sold quantity
// (currentQuantity + refunded) can be told apart from units removed by an order edit.
const ORDER_FIELDS = /* GraphQL */ `
  fragment BackfillOrder on Order {
    id
    name
    createdAt
    processedAt
    updatedAt
    cancelledAt
    closed
    test
    displayFinancialStatus
    taxesIncluded
    currencyCode
    customer { id }
    totalPriceSet { ${SHOP_MONEY} }
    lineItems(first: ${MAX_LINE_ITEMS}) {
      pageInfo { hasNextPage }
      nodes {
        id
        title
        name
        sku
        quantity
        currentQuantity
        originalUnitPriceSet { ${SHOP_MONEY} }
        discountAllocations { allocatedAmountSet { ${SHOP_MONEY} } }
        taxLines { priceSet { ${SHOP_MONEY} } }
      }
    }
    shippingLines(first: ${MAX_SHIPPING_LINES}) {
      pageInfo { hasNextPage }
      nodes {
        id
        title
        discountedPriceSet { ${SHOP_MONEY} }
        taxLines { priceSet { ${SHOP_MONEY} } }
      }
    }
    refunds(first: ${MAX_REFUNDS}) {
      id
      refundLineItems(first: ${MAX_REFUND_LINE_ITEMS}) {
        pageInfo { hasNextPage }
        nodes { quantity lineItem { id } }
      }
    }
  }
`;

export const ORDERS_QUERY = /* GraphQL */ `
  query BackfillOrders($first: Int!, $after: String, $query: String) {
    orders(first: $first, after: $after, query: $query, sortKey: UPDATED_AT) {
      pageInfo { hasNextPage endCursor }
      nodes { ...BackfillOrder }
    }
  }
  ${ORDER_FIELDS}
`;

export const ORDER_QUERY = /* GraphQL */ `
  query BackfillOrder($id: ID!) {
    order(id: $id) { ...BackfillOrder }
  }
  ${ORDER_FIELDS}
`;

// Refunds are read through their order: GraphQL has no refunds list.
const ORDER_REFUNDS_FIELDS = /* GraphQL */ `
  fragment BackfillOrderRefunds on Order {
    id
    name
    updatedAt
    taxesIncluded
    customer { id }
    refunds(first: ${MAX_REFUNDS}) {
      id
      createdAt
      processedAt
      updatedAt
      note
      totalRefundedSet { ${SHOP_MONEY} }
      refundLineItems(first: ${MAX_REFUND_LINE_ITEMS}) {
        pageInfo { hasNextPage }
        nodes {
          id
          quantity
          priceSet { ${SHOP_MONEY} }
          subtotalSet { ${SHOP_MONEY} }
          totalTaxSet { ${SHOP_MONEY} }
          lineItem { id title name sku }
        }
      }
      refundShippingLines(first: ${MAX_SHIPPING_LINES}) {
        pageInfo { hasNextPage }
        nodes {
          id
          shippingLine { title }
          subtotalAmountSet { ${SHOP_MONEY} }
          taxAmountSet { ${SHOP_MONEY} }
        }
      }
      orderAdjustments(first: ${MAX_SHIPPING_LINES}) {
        pageInfo { hasNextPage }
        nodes {
          id
          reason
          amountSet { ${SHOP_MONEY} }
          taxAmountSet { ${SHOP_MONEY} }
        }
      }
    }
  }
`;

export const ORDER_REFUNDS_QUERY = /* GraphQL */ `
  query BackfillOrderRefunds($first: Int!, $after: String, $query: String) {
    orders(first: $first, after: $after, query: $query, sortKey: UPDATED_AT) {
      pageInfo { hasNextPage endCursor }
      nodes { ...BackfillOrderRefunds }
    }
  }
  ${ORDER_REFUNDS_FIELDS}
`;

export const SINGLE_ORDER_REFUNDS_QUERY = /* GraphQL */ `
  query BackfillSingleOrderRefunds($id: ID!) {
    order(id: $id) { ...BackfillOrderRefunds }
  }
  ${ORDER_REFUNDS_FIELDS}
`;

/** Every document, by name, for the schema test. */
export const ALL_DOCUMENTS: Record<string, string> = {
  SHOP_QUERY,
  CUSTOMERS_QUERY,
  CUSTOMER_QUERY,
  ORDERS_QUERY,
  ORDER_QUERY,
  ORDER_REFUNDS_QUERY,
  SINGLE_ORDER_REFUNDS_QUERY,
};
