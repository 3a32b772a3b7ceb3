// Maps the seeded records onto objects shaped like the Admin schema. graphql-js's default
// resolver reads properties and calls methods with (args, context), so each connection or
// argument-taking field is a method and everything else a plain value.
import { GraphQLError } from "graphql";
import {
  formatDecimal,
  type CustomerRecord,
  type LineItemRecord,
  type MoneyPair,
  type OrderRecord,
  type RefundLineItemRecord,
  type RefundRecord,
  type ShopRecord,
} from "../data.js";
import type { AccessTokenRecord } from "../state.js";
import { paginate, type ConnectionArgs } from "./connection.js";
import { matchesNumber, matchesTime, parseSearchQuery } from "./search.js";

export interface GraphQLContext {
  shop: ShopRecord;
  token: AccessTokenRecord;
  /** The emulator's clock at the request (the 60-day order window is relative to it). */
  now: number;
}

/** Without read_all_orders, Shopify serves only orders created in the last 60 days. */
export const RECENT_ORDERS_WINDOW_MS = 60 * 86_400_000;
export const READ_ALL_ORDERS = "read_all_orders";

/** Can this token see this order? (The window applies to orders and everything read through them.) */
export function orderVisible(token: Pick<AccessTokenRecord, "scope">, order: Pick<OrderRecord, "createdAt">, now: number): boolean {
  return token.scope.split(",").includes(READ_ALL_ORDERS) || Date.parse(order.createdAt) >= now - RECENT_ORDERS_WINDOW_MS;
}

function visibleOrders(orders: readonly OrderRecord[], ctx: GraphQLContext): OrderRecord[] {
  return orders.filter((o) => orderVisible(ctx.token, o, ctx.now));
}

type Obj = Record<string, unknown>;

export function gid(type: string, id: number): string {
  return `gid://shopify/${type}/${id}`;
}

function parseGid(value: string): { type: string; id: number } | undefined {
  const match = /^gid:\/\/shopify\/([A-Za-z]+)\/(\d+)$/.exec(value);
  return match ? { type: match[1] ?? "", id: Number(match[2]) } : undefined;
}

function requireScope(token: AccessTokenRecord, resource: "orders" | "customers", field: string): void {
  const scopes = token.scope.split(",");
  if (scopes.includes(`read_${resource}`) || scopes.includes(`write_${resource}`)) return;
  throw new GraphQLError(`Access denied for ${field} field. Required access: \`read_${resource}\` access scope.`, {
    extensions: { code: "ACCESS_DENIED", documentation: "https://shopify.dev/api/usage/access-scopes", requiredAccess: `\`read_${resource}\` access scope.` },
  });
}

function moneyBag(shop: ShopRecord, order: OrderRecord | undefined, amount: MoneyPair): Obj {
  const presentmentCurrency = order?.presentmentCurrencyCode ?? shop.currencyCode;
  return {
    shopMoney: { amount: formatDecimal(amount.shop, shop.currencyCode), currencyCode: shop.currencyCode },
    presentmentMoney: { amount: formatDecimal(amount.presentment, presentmentCurrency), currencyCode: presentmentCurrency },
  };
}

const ZERO: MoneyPair = { shop: 0, presentment: 0 };

function scale(p: MoneyPair, n: number): MoneyPair {
  return { shop: p.shop * n, presentment: p.presentment * n };
}

function minus(a: MoneyPair, b: MoneyPair): MoneyPair {
  return { shop: a.shop - b.shop, presentment: a.presentment - b.presentment };
}

function sum(pairs: MoneyPair[]): MoneyPair {
  return pairs.reduce((acc, p) => ({ shop: acc.shop + p.shop, presentment: acc.presentment + p.presentment }), ZERO);
}

function customerObject(shop: ShopRecord, customer: CustomerRecord): Obj {
  const orders = () => shop.orders.filter((o) => o.customerId === customer.id);
  return {
    __typename: "Customer",
    id: gid("Customer", customer.id),
    legacyResourceId: String(customer.id),
    firstName: customer.firstName,
    lastName: customer.lastName,
    displayName: `${customer.firstName} ${customer.lastName}`,
    email: customer.email,
    phone: customer.phone,
    note: customer.note,
    tags: customer.tags,
    state: "ENABLED",
    verifiedEmail: true,
    taxExempt: false,
    locale: "en",
    createdAt: customer.createdAt,
    updatedAt: customer.updatedAt,
    defaultAddress: customer.address
      ? {
          __typename: "MailingAddress",
          id: gid("MailingAddress", customer.id),
          firstName: customer.firstName,
          lastName: customer.lastName,
          name: `${customer.firstName} ${customer.lastName}`,
          phone: customer.phone,
          country: customer.address.countryCodeV2,
          ...customer.address,
        }
      : null,
    defaultEmailAddress: { emailAddress: customer.email, marketingState: "NOT_SUBSCRIBED", validFormat: true },
    defaultPhoneNumber: customer.phone ? { phoneNumber: customer.phone, marketingState: "NOT_SUBSCRIBED" } : null,
    numberOfOrders: () => String(orders().length),
    amountSpent: () => {
      const spent = sum(orders().map((o) => o.total));
      return { amount: formatDecimal(spent.shop, shop.currencyCode), currencyCode: shop.currencyCode };
    },
    orders: (args: ConnectionArgs & { query?: string; sortKey?: string }, ctx: GraphQLContext) => orderConnection(shop, visibleOrders(orders(), ctx), args),
  };
}

function lineItemObject(shop: ShopRecord, order: OrderRecord, li: LineItemRecord): Obj {
  const refunded = order.refunds.flatMap((r) => r.lineItems).filter((rli) => rli.lineItemId === li.id);
  const refundedQuantity = refunded.reduce((n, rli) => n + rli.quantity, 0);
  const money = (p: MoneyPair) => moneyBag(shop, order, p);
  return {
    __typename: "LineItem",
    id: gid("LineItem", li.id),
    title: li.title,
    name: li.title,
    sku: li.sku,
    variantTitle: null,
    vendor: "Emulated Goods",
    quantity: li.quantity,
    currentQuantity: li.currentQuantity,
    refundableQuantity: Math.max(0, li.currentQuantity - refundedQuantity),
    unfulfilledQuantity: 0,
    nonFulfillableQuantity: 0,
    taxable: li.taxable,
    isGiftCard: li.sku === "GIFT-06",
    requiresShipping: li.sku !== "GIFT-06",
    restockable: true,
    merchantEditable: false,
    originalUnitPriceSet: money(li.unitPrice),
    discountedUnitPriceSet: money(li.unitPrice),
    discountedUnitPriceAfterAllDiscountsSet: money(
      li.currentQuantity === 0 ? li.unitPrice : scale(minus(scale(li.unitPrice, li.currentQuantity), li.discount), 1 / li.currentQuantity),
    ),
    originalTotalSet: money(scale(li.unitPrice, li.quantity)),
    discountedTotalSet: () => money(scale(li.unitPrice, li.currentQuantity)),
    totalDiscountSet: money(li.discount),
    customAttributes: [],
    discountAllocations:
      li.discount.shop === 0 && li.discount.presentment === 0
        ? []
        : [{ allocatedAmountSet: money(li.discount), discountApplication: { __typename: "DiscountCodeApplication", code: "WELCOME10", index: 0 } }],
    duties: [],
    taxLines: (args: { first?: number | null }) => (li.taxable && li.currentQuantity > 0 ? [taxLine(shop, order, li.tax)].slice(0, args.first ?? undefined) : []),
  };
}

function taxLine(shop: ShopRecord, order: OrderRecord, amount: MoneyPair): Obj {
  return {
    title: order.taxesIncluded ? "VAT" : "Sales tax",
    rate: 0.1,
    ratePercentage: 10,
    priceSet: moneyBag(shop, order, amount),
    channelLiable: false,
  };
}

function shippingLineObject(shop: ShopRecord, order: OrderRecord): Obj {
  const price = moneyBag(shop, order, order.totalShipping);
  return {
    __typename: "ShippingLine",
    id: gid("ShippingLine", order.id),
    title: "Standard",
    code: "STANDARD",
    source: "shopify",
    carrierIdentifier: null,
    isRemoved: false,
    custom: false,
    originalPriceSet: price,
    discountedPriceSet: price,
    currentDiscountedPriceSet: price,
    discountAllocations: [],
    taxLines: [],
  };
}

function refundLineItemObject(shop: ShopRecord, order: OrderRecord, rli: RefundLineItemRecord): Obj {
  const li = order.lineItems.find((l) => l.id === rli.lineItemId);
  return {
    __typename: "RefundLineItem",
    id: gid("RefundLineItem", rli.id),
    quantity: rli.quantity,
    restockType: "RETURN",
    restocked: false,
    lineItem: li ? lineItemObject(shop, order, li) : null,
    priceSet: li ? moneyBag(shop, order, li.unitPrice) : moneyBag(shop, order, ZERO),
    subtotalSet: moneyBag(shop, order, rli.subtotal),
    totalTaxSet: moneyBag(shop, order, rli.totalTax),
  };
}

function refundObject(shop: ShopRecord, order: OrderRecord, refund: RefundRecord): Obj {
  return {
    __typename: "Refund",
    id: gid("Refund", refund.id),
    legacyResourceId: String(refund.id),
    createdAt: refund.createdAt,
    updatedAt: refund.updatedAt,
    processedAt: refund.createdAt,
    note: refund.note,
    totalRefundedSet: moneyBag(shop, order, refund.totalRefunded),
    order: () => orderObject(shop, order),
    refundLineItems: (args: ConnectionArgs) =>
      paginate(
        refund.lineItems,
        args,
        (r) => r.id,
        (r) => refundLineItemObject(shop, order, r),
      ),
    refundShippingLines: (args: ConnectionArgs) =>
      paginate(
        refund.shipping.shop === 0 ? [] : [{ id: refund.id }],
        args,
        (r) => r.id,
        () => ({
          __typename: "RefundShippingLine",
          id: gid("RefundShippingLine", refund.id),
          shippingLine: shippingLineObject(shop, order),
          subtotalAmountSet: moneyBag(shop, order, refund.shipping),
          taxAmountSet: moneyBag(shop, order, ZERO),
        }),
      ),
    orderAdjustments: (args: ConnectionArgs) =>
      paginate(
        [],
        args,
        (r: { id: number }) => r.id,
        () => ({}),
      ),
    transactions: (args: ConnectionArgs) =>
      paginate(
        [],
        args,
        (r: { id: number }) => r.id,
        () => ({}),
      ),
    duties: [],
  };
}

function orderObject(shop: ShopRecord, order: OrderRecord): Obj {
  const customer = order.customerId === null ? undefined : shop.customers.find((c) => c.id === order.customerId);
  const money = (p: MoneyPair) => moneyBag(shop, order, p);
  const refunded = sum(order.refunds.map((r) => r.totalRefunded));
  const currentSubtotalQuantity = order.lineItems.reduce((n, li) => n + li.currentQuantity, 0);
  const paid = ["PAID", "PARTIALLY_REFUNDED", "REFUNDED"].includes(order.displayFinancialStatus);
  const lineItems = (args: ConnectionArgs) =>
    paginate(
      order.lineItems,
      args,
      (li) => li.id,
      (li) => lineItemObject(shop, order, li),
    );
  return {
    __typename: "Order",
    id: gid("Order", order.id),
    legacyResourceId: String(order.id),
    name: order.name,
    number: order.number,
    email: order.email,
    phone: null,
    note: null,
    tags: [],
    test: order.test,
    createdAt: order.createdAt,
    processedAt: order.processedAt,
    updatedAt: order.updatedAt,
    cancelledAt: order.cancelledAt,
    cancelReason: order.cancelReason,
    closed: order.cancelledAt !== null,
    closedAt: order.cancelledAt,
    confirmed: true,
    displayFinancialStatus: order.displayFinancialStatus,
    displayFulfillmentStatus: "UNFULFILLED",
    currencyCode: shop.currencyCode,
    presentmentCurrencyCode: order.presentmentCurrencyCode,
    taxesIncluded: order.taxesIncluded,
    taxExempt: false,
    fullyPaid: paid,
    unpaid: !paid,
    refundable: paid && order.displayFinancialStatus !== "REFUNDED",
    edited: order.lineItems.some((li) => li.currentQuantity !== li.quantity),
    subtotalLineItemsQuantity: currentSubtotalQuantity,
    currentSubtotalLineItemsQuantity: currentSubtotalQuantity,
    customer: customer ? customerObject(shop, customer) : null,
    subtotalPriceSet: money(order.subtotal),
    currentSubtotalPriceSet: money(order.subtotal),
    totalPriceSet: money(order.total),
    originalTotalPriceSet: money(sum(order.lineItems.map((li) => scale(li.unitPrice, li.quantity)))),
    currentTotalPriceSet: money(minus(order.total, refunded)),
    totalTaxSet: money(order.totalTax),
    currentTotalTaxSet: money(order.totalTax),
    totalShippingPriceSet: money(order.totalShipping),
    currentShippingPriceSet: money(order.totalShipping),
    totalDiscountsSet: money(order.totalDiscounts),
    currentTotalDiscountsSet: money(order.totalDiscounts),
    totalRefundedSet: money(refunded),
    totalReceivedSet: money(paid ? order.total : ZERO),
    netPaymentSet: money(paid ? minus(order.total, refunded) : ZERO),
    totalOutstandingSet: money(paid ? ZERO : order.total),
    totalTipReceivedSet: money(ZERO),
    paymentGatewayNames: ["bogus"],
    discountCodes: order.totalDiscounts.shop > 0 ? ["WELCOME10"] : [],
    taxLines: [],
    currentTaxLines: [],
    lineItems,
    shippingLine: order.totalShipping.shop === 0 && order.totalShipping.presentment === 0 ? null : shippingLineObject(shop, order),
    shippingLines: (args: ConnectionArgs) =>
      paginate(
        order.totalShipping.shop === 0 && order.totalShipping.presentment === 0 ? [] : [{ id: order.id }],
        args,
        (r) => r.id,
        () => shippingLineObject(shop, order),
      ),
    refunds: (args: { first?: number | null }) => {
      const refunds = order.refunds.map((r) => refundObject(shop, order, r));
      return args.first === undefined || args.first === null ? refunds : refunds.slice(0, args.first);
    },
  };
}

function byTimestamp(field: "updatedAt" | "createdAt") {
  return (record: { updatedAt: string; createdAt: string }) => record[field];
}

/** Sort keys connectors use; anything else sorts by id, as RELEVANCE does without a text query. */
function sortValueFor<R extends { id: number; updatedAt: string; createdAt: string }>(sortKey: string | undefined): (r: R) => string | number {
  switch (sortKey) {
    case "UPDATED_AT":
      return byTimestamp("updatedAt");
    case "CREATED_AT":
    case "PROCESSED_AT":
      return byTimestamp("createdAt");
    default:
      return (r) => r.id;
  }
}

function filterByQuery<R extends { id: number; updatedAt: string; createdAt: string }>(
  shop: ShopRecord,
  records: readonly R[],
  query: string | undefined | null,
  wholeDays: boolean,
): R[] {
  const terms = parseSearchQuery(query);
  return records.filter((record) =>
    terms.every((term) => {
      switch (term.field) {
        case "updated_at":
          return matchesTime(record.updatedAt, term, wholeDays, shop.ianaTimezone);
        case "created_at":
          return matchesTime(record.createdAt, term, wholeDays, shop.ianaTimezone);
        case "id":
          return matchesNumber(record.id, term);
        default:
          return true;
      }
    }),
  );
}

type ListArgs = ConnectionArgs & { query?: string | null; sortKey?: string };

function orderConnection(shop: ShopRecord, orders: readonly OrderRecord[], args: ListArgs) {
  return paginate(filterByQuery(shop, orders, args.query, false), args, sortValueFor(args.sortKey), (o) => orderObject(shop, o));
}

function customerConnection(shop: ShopRecord, args: ListArgs) {
  return paginate(filterByQuery(shop, shop.customers, args.query, true), args, sortValueFor(args.sortKey), (c) => customerObject(shop, c));
}

function shopObject(shop: ShopRecord): Obj {
  return {
    __typename: "Shop",
    id: gid("Shop", shop.id),
    name: shop.name,
    email: shop.email,
    contactEmail: shop.email,
    myshopifyDomain: shop.domain,
    url: `https://${shop.domain}`,
    currencyCode: shop.currencyCode,
    enabledPresentmentCurrencies: ["USD", "EUR", "JPY", "GBP", "CAD"],
    ianaTimezone: shop.ianaTimezone,
    timezoneAbbreviation: "EST",
    timezoneOffset: "-0500",
    timezoneOffsetMinutes: -300,
    taxesIncluded: false,
    taxShipping: false,
    createdAt: shop.createdAt,
    updatedAt: shop.createdAt,
    plan: { partnerDevelopment: true, shopifyPlus: false, publicDisplayName: "Development" },
    primaryDomain: { __typename: "Domain", id: gid("Domain", shop.id), host: shop.domain, url: `https://${shop.domain}`, sslEnabled: true },
  };
}

function findNode(shop: ShopRecord, id: string, ctx: GraphQLContext): Obj | null {
  const parsed = parseGid(id);
  if (!parsed) return null;
  switch (parsed.type) {
    case "Order": {
      const order = shop.orders.find((o) => o.id === parsed.id);
      return order && orderVisible(ctx.token, order, ctx.now) ? orderObject(shop, order) : null;
    }
    case "Customer": {
      const customer = shop.customers.find((c) => c.id === parsed.id);
      return customer ? customerObject(shop, customer) : null;
    }
    case "Refund": {
      for (const order of shop.orders) {
        const refund = order.refunds.find((r) => r.id === parsed.id);
        if (refund) return orderVisible(ctx.token, order, ctx.now) ? refundObject(shop, order, refund) : null;
      }
      return null;
    }
    case "Shop":
      return parsed.id === shop.id ? shopObject(shop) : null;
    default:
      return null;
  }
}

function scopeFor(node: Obj | null): "orders" | "customers" | undefined {
  if (!node) return undefined;
  return node.__typename === "Customer" ? "customers" : "orders";
}

/** The QueryRoot value for one request. */
export function rootValue(shop: ShopRecord): Obj {
  return {
    shop: () => shopObject(shop),
    orders: (args: ListArgs, ctx: GraphQLContext) => {
      requireScope(ctx.token, "orders", "orders");
      return orderConnection(shop, visibleOrders(shop.orders, ctx), args);
    },
    order: (args: { id: string }, ctx: GraphQLContext) => {
      requireScope(ctx.token, "orders", "order");
      const node = findNode(shop, args.id, ctx);
      return node?.__typename === "Order" ? node : null;
    },
    customers: (args: ListArgs, ctx: GraphQLContext) => {
      requireScope(ctx.token, "customers", "customers");
      return customerConnection(shop, args);
    },
    customer: (args: { id: string }, ctx: GraphQLContext) => {
      requireScope(ctx.token, "customers", "customer");
      const node = findNode(shop, args.id, ctx);
      return node?.__typename === "Customer" ? node : null;
    },
    refund: (args: { id: string }, ctx: GraphQLContext) => {
      requireScope(ctx.token, "orders", "refund");
      const node = findNode(shop, args.id, ctx);
      return node?.__typename === "Refund" ? node : null;
    },
    node: (args: { id: string }, ctx: GraphQLContext) => {
      const node = findNode(shop, args.id, ctx);
      const scope = scopeFor(node);
      if (scope) requireScope(ctx.token, scope, "node");
      return node;
    },
    nodes: (args: { ids: string[] }, ctx: GraphQLContext) =>
      args.ids.map((id) => {
        const node = findNode(shop, id, ctx);
        const scope = scopeFor(node);
        if (scope) requireScope(ctx.token, scope, "nodes");
        return node;
      }),
    ordersCount: (args: ListArgs, ctx: GraphQLContext) => {
      requireScope(ctx.token, "orders", "ordersCount");
      return { count: filterByQuery(shop, visibleOrders(shop.orders, ctx), args.query, false).length, precision: "EXACT" };
    },
    customersCount: (args: ListArgs, ctx: GraphQLContext) => {
      requireScope(ctx.token, "customers", "customersCount");
      return { count: filterByQuery(shop, shop.customers, args.query, true).length, precision: "EXACT" };
    },
  };
}
