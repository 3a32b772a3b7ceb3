// Every GraphQL document the connector sends, in one place, so a test can validate
// each against Shopify's real Admin schema for ADMIN_API_VERSION.

/** The Admin API version: the one place it is named. */
export const ADMIN_API_VERSION = "2026-10";

/**
 * Nested page sizes, chosen by query cost (objects 1, connections 2 + first × node cost,
 * 1000 at most per query): a line item costs 9 and a refund (a list: counted once)
 * 3 + (2 + 5 × 8) + (2 + 1 × 5) + (2 + 1 × 5) = 59, so six orders of
 * 4 + (2 + 8 × 9) + (2 + 1 × 6) + 59 = 145 points fit one query. Whatever an order has beyond
 * these is read by the follow-up documents below, so no order is skipped for size.
 */
export const PAGE_LINE_ITEMS = 8;
export const PAGE_SHIPPING_LINES = 1;
/** `Order.refunds` is a list, not a connection: an order with this many is re-read whole. */
export const MAX_REFUNDS = 10;
export const REFUND_PAGE_LINE_ITEMS = 5;
export const REFUND_PAGE_SHIPPING_LINES = 1;
export const REFUND_PAGE_ADJUSTMENTS = 1;
/** Follow-up pages within one order or refund: 3 + 100 × 9 = 903 points at most. */
export const FOLLOW_UP_PAGE_SIZE = 100;

const SHOP_MONEY = "shopMoney { amount currencyCode }";

export const SHOP_QUERY = /* GraphQL */ `
  query BackfillShop {
    shop { id name myshopifyDomain currencyCode }
  }
`;

export const CUSTOMER_FIELDS = /* GraphQL */ `
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

// The order as sold, with its refunds: the refund receipts are read in the orders pass (no
// second walk over the orders), and their quantities tell a line's sold quantity
// (currentQuantity + refunded) apart from units removed by an order edit.
export const LINE_ITEM_FIELDS = /* GraphQL */ `
  fragment BackfillLineItem on LineItem {
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
`;

export const SHIPPING_LINE_FIELDS = /* GraphQL */ `
  fragment BackfillShippingLine on ShippingLine {
    discountedPriceSet { ${SHOP_MONEY} }
    taxLines { priceSet { ${SHOP_MONEY} } }
  }
`;

// Refunds are read through their order: GraphQL has no refunds list.
const REFUND_LINE_ITEM_FIELDS = /* GraphQL */ `
  fragment BackfillRefundLineItem on RefundLineItem {
    id
    quantity
    priceSet { ${SHOP_MONEY} }
    subtotalSet { ${SHOP_MONEY} }
    totalTaxSet { ${SHOP_MONEY} }
    lineItem { id title name sku }
  }
`;

const REFUND_SHIPPING_LINE_FIELDS = /* GraphQL */ `
  fragment BackfillRefundShippingLine on RefundShippingLine {
    id
    subtotalAmountSet { ${SHOP_MONEY} }
    taxAmountSet { ${SHOP_MONEY} }
  }
`;

const ORDER_ADJUSTMENT_FIELDS = /* GraphQL */ `
  fragment BackfillOrderAdjustment on OrderAdjustment {
    id
    reason
    amountSet { ${SHOP_MONEY} }
    taxAmountSet { ${SHOP_MONEY} }
  }
`;

const REFUND_FIELDS = /* GraphQL */ `
  fragment BackfillRefund on Refund {
    id
    processedAt
    updatedAt
    note
    totalRefundedSet { ${SHOP_MONEY} }
    refundLineItems(first: ${REFUND_PAGE_LINE_ITEMS}) {
      pageInfo { hasNextPage endCursor }
      nodes { ...BackfillRefundLineItem }
    }
    refundShippingLines(first: ${REFUND_PAGE_SHIPPING_LINES}) {
      pageInfo { hasNextPage endCursor }
      nodes { ...BackfillRefundShippingLine }
    }
    orderAdjustments(first: ${REFUND_PAGE_ADJUSTMENTS}) {
      pageInfo { hasNextPage endCursor }
      nodes { ...BackfillOrderAdjustment }
    }
  }
  ${REFUND_LINE_ITEM_FIELDS}
  ${REFUND_SHIPPING_LINE_FIELDS}
  ${ORDER_ADJUSTMENT_FIELDS}
`;

/** The order's own fields, shared by the paged and the bulk documents. */
const ORDER_OWN_FIELDS = /* GraphQL */ `
  fragment BackfillOrderOwn on Order {
    id
    name
    processedAt
    updatedAt
    cancelledAt
    displayFinancialStatus
    taxesIncluded
    customer { id }
    totalPriceSet { ${SHOP_MONEY} }
  }
`;

const ORDER_FIELDS = /* GraphQL */ `
  fragment BackfillOrder on Order {
    ...BackfillOrderOwn
    lineItems(first: ${PAGE_LINE_ITEMS}) {
      pageInfo { hasNextPage endCursor }
      nodes { ...BackfillLineItem }
    }
    shippingLines(first: ${PAGE_SHIPPING_LINES}) {
      pageInfo { hasNextPage endCursor }
      nodes { ...BackfillShippingLine }
    }
    refunds(first: ${MAX_REFUNDS}) { ...BackfillRefund }
  }
  ${ORDER_OWN_FIELDS}
  ${LINE_ITEM_FIELDS}
  ${SHIPPING_LINE_FIELDS}
  ${REFUND_FIELDS}
`;

export const ORDERS_QUERY = /* GraphQL */ `
  query BackfillOrders($first: Int!, $after: String, $query: String) {
    orders(first: $first, after: $after, query: $query, sortKey: UPDATED_AT) {
      pageInfo { hasNextPage endCursor }
      edges { cursor }
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

const ORDER_REFUNDS_FIELDS = /* GraphQL */ `
  fragment BackfillOrderRefunds on Order {
    id
    updatedAt
    taxesIncluded
    customer { id }
    refunds(first: ${MAX_REFUNDS}) { ...BackfillRefund }
  }
  ${REFUND_FIELDS}
`;

export const SINGLE_ORDER_REFUNDS_QUERY = /* GraphQL */ `
  query BackfillSingleOrderRefunds($id: ID!) {
    order(id: $id) { ...BackfillOrderRefunds }
  }
  ${ORDER_REFUNDS_FIELDS}
`;

// Follow-ups: the rest of one order's or one refund's nested items, FOLLOW_UP_PAGE_SIZE
// at a time, for records with more than a page reads.
export const ORDER_LINE_ITEMS_QUERY = /* GraphQL */ `
  query BackfillOrderLineItems($id: ID!, $first: Int!, $after: String) {
    order(id: $id) {
      lineItems(first: $first, after: $after) {
        pageInfo { hasNextPage endCursor }
        nodes { ...BackfillLineItem }
      }
    }
  }
  ${LINE_ITEM_FIELDS}
`;

export const ORDER_SHIPPING_LINES_QUERY = /* GraphQL */ `
  query BackfillOrderShippingLines($id: ID!, $first: Int!, $after: String) {
    order(id: $id) {
      shippingLines(first: $first, after: $after) {
        pageInfo { hasNextPage endCursor }
        nodes { ...BackfillShippingLine }
      }
    }
  }
  ${SHIPPING_LINE_FIELDS}
`;

/** Every refund of an order with MAX_REFUNDS or more (the list has no cursor). */
export const ORDER_ALL_REFUNDS_QUERY = /* GraphQL */ `
  query BackfillOrderAllRefunds($id: ID!) {
    order(id: $id) { refunds { ...BackfillRefund } }
  }
  ${REFUND_FIELDS}
`;

export const REFUND_LINE_ITEMS_QUERY = /* GraphQL */ `
  query BackfillRefundLineItems($id: ID!, $first: Int!, $after: String) {
    refund(id: $id) {
      refundLineItems(first: $first, after: $after) {
        pageInfo { hasNextPage endCursor }
        nodes { ...BackfillRefundLineItem }
      }
    }
  }
  ${REFUND_LINE_ITEM_FIELDS}
`;

export const REFUND_SHIPPING_LINES_QUERY = /* GraphQL */ `
  query BackfillRefundShippingLines($id: ID!, $first: Int!, $after: String) {
    refund(id: $id) {
      refundShippingLines(first: $first, after: $after) {
        pageInfo { hasNextPage endCursor }
        nodes { ...BackfillRefundShippingLine }
      }
    }
  }
  ${REFUND_SHIPPING_LINE_FIELDS}
`;

export const REFUND_ADJUSTMENTS_QUERY = /* GraphQL */ `
  query BackfillRefundAdjustments($id: ID!, $first: Int!, $after: String) {
    refund(id: $id) {
      orderAdjustments(first: $first, after: $after) {
        pageInfo { hasNextPage endCursor }
        nodes { ...BackfillOrderAdjustment }
      }
    }
  }
  ${ORDER_ADJUSTMENT_FIELDS}
`;

// Bulk operations (lib/bulk): the whole of a stream in one job, no cost throttle. Bulk
// queries take no pagination arguments and no variables (the search is written into the
// document), and Shopify refuses a connection inside a list field, so an order's refunds
// come only as ids here; an order with refunds is completed by the paged follow-ups.
// Sorted by updated_at, so the partial file of a failed job bounds what is left of its window.
const bulkSearch = (search: string) => JSON.stringify(search);

export function bulkCustomersQuery(search: string): string {
  return /* GraphQL */ `
  query BackfillBulkCustomers {
    customers(query: ${bulkSearch(search)}, sortKey: UPDATED_AT) { edges { node { ...BackfillCustomer } } }
  }
  ${CUSTOMER_FIELDS}
`;
}

export function bulkOrdersQuery(search: string): string {
  return /* GraphQL */ `
  query BackfillBulkOrders {
    orders(query: ${bulkSearch(search)}, sortKey: UPDATED_AT) {
      edges {
        node {
          ...BackfillOrderOwn
          lineItems { edges { node { __typename ...BackfillLineItem } } }
          shippingLines { edges { node { __typename ...BackfillShippingLine } } }
          refunds { id }
        }
      }
    }
  }
  ${ORDER_OWN_FIELDS}
  ${LINE_ITEM_FIELDS}
  ${SHIPPING_LINE_FIELDS}
`;
}

export const BULK_RUN_MUTATION = /* GraphQL */ `
  mutation BackfillBulkRun($query: String!) {
    bulkOperationRunQuery(query: $query, groupObjects: false) {
      bulkOperation { id status }
      userErrors { field message code }
    }
  }
`;

export const BULK_STATUS_QUERY = /* GraphQL */ `
  query BackfillBulkStatus($id: ID!) {
    bulkOperation(id: $id) { id status errorCode objectCount rootObjectCount fileSize url partialDataUrl createdAt completedAt }
  }
`;

export const BULK_CANCEL_MUTATION = /* GraphQL */ `
  mutation BackfillBulkCancel($id: ID!) {
    bulkOperationCancel(id: $id) { bulkOperation { id status } userErrors { field message } }
  }
`;

/** The refunds of up to ORDERS_REFUNDS_BATCH orders of a bulk file (their refunds are ids only there): 11 × 90 points. */
export const ORDERS_REFUNDS_BATCH = 11;
export const ORDERS_REFUNDS_QUERY = /* GraphQL */ `
  query BackfillOrdersRefunds($ids: [ID!]!) {
    nodes(ids: $ids) { ... on Order { id refunds(first: ${MAX_REFUNDS}) { ...BackfillRefund } } }
  }
  ${REFUND_FIELDS}
`;

/** How many records a pass would read: bulk or paged is chosen by this (lib/bulk/choose.ts). */
export const ORDERS_COUNT_QUERY = /* GraphQL */ `
  query BackfillOrdersCount($query: String) { ordersCount(query: $query, limit: null) { count precision } }
`;
export const CUSTOMERS_COUNT_QUERY = /* GraphQL */ `
  query BackfillCustomersCount($query: String) { customersCount(query: $query, limit: null) { count precision } }
`;
/** The oldest updatedAt a pass covers: where its first bulk window starts. */
export const ORDERS_OLDEST_QUERY = /* GraphQL */ `
  query BackfillOrdersOldest($query: String) { orders(first: 1, query: $query, sortKey: UPDATED_AT) { nodes { updatedAt } } }
`;
export const CUSTOMERS_OLDEST_QUERY = /* GraphQL */ `
  query BackfillCustomersOldest($query: String) { customers(first: 1, query: $query, sortKey: UPDATED_AT) { nodes { updatedAt } } }
`;

/** Every document, by name, for the schema and cost tests. */
export const ALL_DOCUMENTS: Record<string, string> = {
  SHOP_QUERY,
  CUSTOMERS_QUERY,
  CUSTOMER_QUERY,
  ORDERS_QUERY,
  ORDER_QUERY,
  SINGLE_ORDER_REFUNDS_QUERY,
  ORDER_LINE_ITEMS_QUERY,
  ORDER_SHIPPING_LINES_QUERY,
  ORDER_ALL_REFUNDS_QUERY,
  REFUND_LINE_ITEMS_QUERY,
  REFUND_SHIPPING_LINES_QUERY,
  REFUND_ADJUSTMENTS_QUERY,
  ORDERS_REFUNDS_QUERY,
  BULK_RUN_MUTATION,
  BULK_STATUS_QUERY,
  BULK_CANCEL_MUTATION,
  ORDERS_COUNT_QUERY,
  CUSTOMERS_COUNT_QUERY,
  ORDERS_OLDEST_QUERY,
  CUSTOMERS_OLDEST_QUERY,
};

/** The bulk queries as sent (a sample search), for the schema test and the emulator's bulk validation. */
export const BULK_DOCUMENTS: Record<string, string> = {
  bulkCustomersQuery: bulkCustomersQuery("updated_at:>='2026-01-01T00:00:00Z'"),
  bulkOrdersQuery: bulkOrdersQuery("updated_at:>='2026-01-01T00:00:00Z' AND updated_at:<'2026-02-01T00:00:00Z'"),
};
