// Deterministic, seeded shop data shaped after Shopify's Admin API objects.
// Records are plain domain objects (amounts in minor units); graphql/resolvers.ts maps them
// onto the schema. End-to-end tests read the same records to compare what a connector synced.
import { hashString, mulberry32, pick, randomInt } from "../common/random.js";

export type FinancialStatus = "AUTHORIZED" | "EXPIRED" | "PAID" | "PARTIALLY_PAID" | "PARTIALLY_REFUNDED" | "PENDING" | "REFUNDED" | "VOIDED";

export const FINANCIAL_STATUSES: readonly FinancialStatus[] = ["AUTHORIZED", "EXPIRED", "PAID", "PARTIALLY_PAID", "PARTIALLY_REFUNDED", "PENDING", "REFUNDED", "VOIDED"];

/** An amount in both the shop's currency and the currency the buyer saw, in minor units. */
export interface MoneyPair {
  shop: number;
  presentment: number;
}

export interface CustomerRecord {
  id: number;
  firstName: string;
  lastName: string;
  email: string;
  phone: string | null;
  note: string | null;
  tags: string[];
  address: AddressRecord | null;
  createdAt: string;
  updatedAt: string;
}

export interface AddressRecord {
  company: string | null;
  address1: string;
  address2: string | null;
  city: string;
  province: string | null;
  provinceCode: string | null;
  zip: string;
  countryCodeV2: string;
}

export interface LineItemRecord {
  id: number;
  title: string;
  sku: string;
  /** Units originally ordered. */
  quantity: number;
  /** Units left after order edits; 0 means the line was removed. */
  currentQuantity: number;
  unitPrice: MoneyPair;
  taxable: boolean;
  /** Discount allocated to the current quantity. */
  discount: MoneyPair;
  /** Tax on the current quantity after discount (inside the price when taxes are included). */
  tax: MoneyPair;
}

export interface RefundLineItemRecord {
  id: number;
  lineItemId: number;
  quantity: number;
  subtotal: MoneyPair;
  totalTax: MoneyPair;
}

export interface RefundRecord {
  id: number;
  createdAt: string;
  updatedAt: string;
  note: string | null;
  lineItems: RefundLineItemRecord[];
  shipping: MoneyPair;
  totalRefunded: MoneyPair;
}

export interface OrderRecord {
  id: number;
  number: number;
  name: string;
  customerId: number | null;
  email: string | null;
  createdAt: string;
  processedAt: string;
  updatedAt: string;
  cancelledAt: string | null;
  cancelReason: "CUSTOMER" | "DECLINED" | "FRAUD" | "INVENTORY" | "OTHER" | "STAFF" | null;
  displayFinancialStatus: FinancialStatus;
  presentmentCurrencyCode: string;
  taxesIncluded: boolean;
  test: boolean;
  lineItems: LineItemRecord[];
  subtotal: MoneyPair;
  totalTax: MoneyPair;
  totalShipping: MoneyPair;
  totalDiscounts: MoneyPair;
  total: MoneyPair;
  refunds: RefundRecord[];
}

export interface ShopRecord {
  handle: string;
  domain: string;
  id: number;
  name: string;
  email: string;
  currencyCode: string;
  ianaTimezone: string;
  createdAt: string;
  customers: CustomerRecord[];
  orders: OrderRecord[];
  /** Ids are unique per shop and grow; new records take the next one. */
  nextId: number;
  nextOrderNumber: number;
  /** The shop's own PRNG, advanced by mutations so they are deterministic too. */
  random: () => number;
}

export interface ShopSeed {
  handle: string;
  name?: string;
  currencyCode?: string;
  customers?: number;
  orders?: number;
  seed?: number;
}

/** Decimal places Shopify uses for a currency (JPY and KRW have none). */
export function currencyDecimals(code: string): number {
  return code === "JPY" || code === "KRW" ? 0 : 2;
}

// Units of each currency per 1 USD; enough to make presentment and shop money differ.
const RATES: Record<string, number> = { USD: 1, EUR: 0.92, JPY: 151, GBP: 0.79, CAD: 1.37 };
const PRESENTMENT_CURRENCIES = ["USD", "EUR", "JPY", "GBP", "CAD"] as const;

/** Format minor units the way Shopify's Decimal scalar does: "12.5", "10.0", "1500.0". */
export function formatDecimal(minor: number, currencyCode: string): string {
  const decimals = currencyDecimals(currencyCode);
  const major = minor / 10 ** decimals;
  const fixed = major.toFixed(decimals);
  if (!fixed.includes(".")) return `${fixed}.0`;
  return fixed.replace(/0$/, "");
}

const FIRST_NAMES = ["Ada", "Grace", "Kenji", "Amara", "Luca", "Sofia", "Mateo", "Yuki", "Noah", "Ines", "Omar", "Freya"];
const LAST_NAMES = ["Lovelace", "Hopper", "Tanaka", "Okafor", "Rossi", "Müller", "García", "Sato", "Smith", "Dubois", "Haddad", "Berg"];
const PRODUCTS = [
  { title: "Canvas Tote", sku: "TOTE-01", usd: 2400 },
  { title: "Ceramic Mug", sku: "MUG-02", usd: 1650 },
  { title: "Wool Scarf", sku: "SCARF-03", usd: 5900 },
  { title: "Notebook", sku: "NOTE-04", usd: 895 },
  { title: "Desk Lamp", sku: "LAMP-05", usd: 8900 },
  { title: "Gift Card", sku: "GIFT-06", usd: 5000 },
];
const ADDRESSES: readonly AddressRecord[] = [
  { company: null, address1: "1 Main St", address2: null, city: "Springfield", province: "Illinois", provinceCode: "IL", zip: "62701", countryCodeV2: "US" },
  { company: "Kaisha KK", address1: "1-2-3 Shibuya", address2: "Suite 4", city: "Tokyo", province: "Tokyo", provinceCode: "JP-13", zip: "150-0002", countryCodeV2: "JP" },
  { company: null, address1: "Unter den Linden 5", address2: null, city: "Berlin", province: null, provinceCode: null, zip: "10117", countryCodeV2: "DE" },
];
const CANCEL_REASONS = ["CUSTOMER", "DECLINED", "FRAUD", "INVENTORY", "OTHER", "STAFF"] as const;

/** Data starts here and spreads over DATA_SPAN_DAYS, so `updated_at:>=2026-01-01` splits it. */
export const DATA_EPOCH = Date.parse("2025-06-01T00:00:00Z");
const DATA_SPAN_DAYS = 365;
const DAY = 86_400_000;

function iso(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(".000Z", "Z");
}

function convert(minor: number, from: string, to: string): number {
  const major = minor / 10 ** currencyDecimals(from);
  const converted = (major / (RATES[from] ?? 1)) * (RATES[to] ?? 1);
  return Math.round(converted * 10 ** currencyDecimals(to));
}

function pair(presentment: number, presentmentCurrency: string, shopCurrency: string): MoneyPair {
  return { presentment, shop: convert(presentment, presentmentCurrency, shopCurrency) };
}

function sumPairs(pairs: readonly MoneyPair[]): MoneyPair {
  return pairs.reduce((acc, p) => ({ shop: acc.shop + p.shop, presentment: acc.presentment + p.presentment }), {
    shop: 0,
    presentment: 0,
  });
}

function scalePair(p: MoneyPair, factor: number): MoneyPair {
  return { shop: Math.round(p.shop * factor), presentment: Math.round(p.presentment * factor) };
}

function nextId(shop: ShopRecord): number {
  return shop.nextId++;
}

export function createCustomer(shop: ShopRecord, createdAtMs: number): CustomerRecord {
  const random = shop.random;
  const firstName = pick(random, FIRST_NAMES);
  const lastName = pick(random, LAST_NAMES);
  const id = nextId(shop);
  const createdAt = iso(createdAtMs);
  return {
    id,
    firstName,
    lastName,
    email: `${firstName}.${lastName}.${id}@example.com`.toLowerCase(),
    phone: random() < 0.5 ? `+1555${String(1000000 + id).slice(-7)}` : null,
    note: random() < 0.2 ? "VIP" : null,
    tags: random() < 0.3 ? ["wholesale"] : [],
    address: random() < 0.7 ? pick(random, ADDRESSES) : null,
    createdAt,
    updatedAt: iso(createdAtMs + Math.floor(random() * 20 * DAY)),
  };
}

function chooseStatus(random: () => number): FinancialStatus {
  const r = random();
  if (r < 0.45) return "PAID";
  if (r < 0.55) return "PARTIALLY_REFUNDED";
  if (r < 0.63) return "REFUNDED";
  if (r < 0.71) return "PENDING";
  if (r < 0.79) return "AUTHORIZED";
  if (r < 0.86) return "PARTIALLY_PAID";
  if (r < 0.93) return "VOIDED";
  return "EXPIRED";
}

/** Refunds some (partial) or all (full) of the order's current line items, in one or two refunds. */
function buildRefunds(shop: ShopRecord, order: OrderRecord, full: boolean, startMs: number): RefundRecord[] {
  const random = shop.random;
  const remaining = new Map(order.lineItems.map((li) => [li.id, li.currentQuantity]));
  for (const refund of order.refunds) {
    for (const rli of refund.lineItems) remaining.set(rli.lineItemId, (remaining.get(rli.lineItemId) ?? 0) - rli.quantity);
  }
  const refundable = order.lineItems.filter((li) => (remaining.get(li.id) ?? 0) > 0);
  if (refundable.length === 0) return [];
  const refundCount = full ? randomInt(random, 1, 2) : randomInt(random, 1, Math.min(2, refundable.length));
  const refunds: RefundRecord[] = [];
  let at = startMs;
  for (let r = 0; r < refundCount; r++) {
    const last = r === refundCount - 1;
    const lineItems: RefundLineItemRecord[] = [];
    for (const li of refundable) {
      const left = remaining.get(li.id) ?? 0;
      if (left <= 0) continue;
      let quantity: number;
      if (full) quantity = last ? left : Math.floor(left / 2);
      else quantity = random() < 0.6 ? Math.min(left, 1) : 0;
      if (quantity <= 0) continue;
      remaining.set(li.id, left - quantity);
      const { subtotal, totalTax } = refundShare([...order.refunds, ...refunds], li, quantity, left - quantity === 0);
      lineItems.push({ id: nextId(shop), lineItemId: li.id, quantity, subtotal, totalTax });
    }
    if (lineItems.length === 0 && !(full && last)) continue;
    const shipping = full && last ? order.totalShipping : { shop: 0, presentment: 0 };
    const itemsTotal = sumPairs(lineItems.map((rli) => (order.taxesIncluded ? rli.subtotal : sumPairs([rli.subtotal, rli.totalTax]))));
    at += randomInt(random, 1, 10) * DAY + randomInt(random, 0, 3600) * 1000;
    refunds.push({
      id: nextId(shop),
      createdAt: iso(at),
      updatedAt: iso(at),
      note: random() < 0.5 ? "Customer return" : null,
      lineItems,
      shipping,
      totalRefunded: sumPairs([itemsTotal, shipping]),
    });
  }
  return refunds;
}

const TAX_RATE = 0.1;

/**
 * The refunded amount for `quantity` units of a line: its discounted price and tax pro rata,
 * and whatever is left when these are its last units, so the refunds of a line add up exactly.
 */
function refundShare(earlier: readonly RefundRecord[], li: LineItemRecord, quantity: number, lastUnits: boolean): { subtotal: MoneyPair; totalTax: MoneyPair } {
  const net = { shop: li.unitPrice.shop * li.currentQuantity - li.discount.shop, presentment: li.unitPrice.presentment * li.currentQuantity - li.discount.presentment };
  const already = earlier.flatMap((r) => r.lineItems).filter((r) => r.lineItemId === li.id);
  if (lastUnits) {
    return {
      subtotal: { shop: net.shop - already.reduce((n, r) => n + r.subtotal.shop, 0), presentment: net.presentment - already.reduce((n, r) => n + r.subtotal.presentment, 0) },
      totalTax: { shop: li.tax.shop - already.reduce((n, r) => n + r.totalTax.shop, 0), presentment: li.tax.presentment - already.reduce((n, r) => n + r.totalTax.presentment, 0) },
    };
  }
  const share = quantity / li.currentQuantity;
  return { subtotal: scalePair(net, share), totalTax: scalePair(li.tax, share) };
}

function taxOf(amount: MoneyPair, included: boolean): MoneyPair {
  const factor = included ? TAX_RATE / (1 + TAX_RATE) : TAX_RATE;
  return scalePair(amount, factor);
}

export function createOrder(shop: ShopRecord, createdAtMs: number): OrderRecord {
  const random = shop.random;
  const presentmentCurrencyCode = random() < 0.5 ? shop.currencyCode : pick(random, PRESENTMENT_CURRENCIES);
  const taxesIncluded = presentmentCurrencyCode === "EUR" || presentmentCurrencyCode === "GBP" || random() < 0.2;
  const guest = shop.customers.length === 0 || random() < 0.15;
  const customer = guest ? null : pick(random, shop.customers);
  const lineCount = randomInt(random, 1, 4);
  const discounted = random() < 0.25;
  const lineItems: LineItemRecord[] = [];
  for (let i = 0; i < lineCount; i++) {
    const product = pick(random, PRODUCTS);
    const quantity = randomInt(random, 1, 3);
    // Some lines were removed by an order edit: quantity stays, currentQuantity drops to 0.
    const removed = lineCount > 1 && random() < 0.12;
    const currentQuantity = removed ? 0 : quantity;
    const unitPrice = pair(convert(product.usd, "USD", presentmentCurrencyCode), presentmentCurrencyCode, shop.currencyCode);
    const gross = scalePair(unitPrice, currentQuantity);
    const discount = discounted ? scalePair(gross, 0.1) : { shop: 0, presentment: 0 };
    const taxable = product.sku !== "GIFT-06";
    const net = { shop: gross.shop - discount.shop, presentment: gross.presentment - discount.presentment };
    lineItems.push({
      id: nextId(shop),
      title: product.title,
      sku: product.sku,
      quantity,
      currentQuantity,
      unitPrice,
      taxable,
      discount,
      tax: taxable ? taxOf(net, taxesIncluded) : { shop: 0, presentment: 0 },
    });
  }
  // Shopify's subtotal is after discounts and before shipping and (added) taxes.
  const totalDiscounts = sumPairs(lineItems.map((li) => li.discount));
  const subtotal = sumPairs(
    lineItems.map((li) => ({
      shop: li.unitPrice.shop * li.currentQuantity - li.discount.shop,
      presentment: li.unitPrice.presentment * li.currentQuantity - li.discount.presentment,
    })),
  );
  const totalTax = sumPairs(lineItems.map((li) => li.tax));
  const totalShipping =
    random() < 0.3 ? { shop: 0, presentment: 0 } : pair(convert(randomInt(random, 4, 12) * 100, "USD", presentmentCurrencyCode), presentmentCurrencyCode, shop.currencyCode);
  const total = sumPairs([subtotal, totalShipping, taxesIncluded ? { shop: 0, presentment: 0 } : totalTax]);

  const status = chooseStatus(random);
  const number = shop.nextOrderNumber++;
  const createdAt = iso(createdAtMs);
  const cancelled = status === "VOIDED" || (status === "REFUNDED" && random() < 0.5);
  const order: OrderRecord = {
    id: nextId(shop),
    number,
    name: `#${number}`,
    customerId: customer?.id ?? null,
    email: customer?.email ?? (random() < 0.7 ? `guest${number}@example.com` : null),
    createdAt,
    processedAt: createdAt,
    updatedAt: createdAt,
    cancelledAt: null,
    cancelReason: null,
    displayFinancialStatus: status,
    presentmentCurrencyCode,
    taxesIncluded,
    test: false,
    lineItems,
    subtotal,
    totalTax,
    totalShipping,
    totalDiscounts,
    total,
    refunds: [],
  };
  let lastChange = createdAtMs + randomInt(random, 60, 7200) * 1000;
  if (status === "REFUNDED" || status === "PARTIALLY_REFUNDED") {
    order.refunds = buildRefunds(shop, order, status === "REFUNDED", lastChange);
    const lastRefund = order.refunds.at(-1);
    if (lastRefund) lastChange = Date.parse(lastRefund.createdAt);
    // A partial refund that happened to pick nothing leaves a plain paid order.
    if (order.refunds.length === 0) order.displayFinancialStatus = "PAID";
  }
  if (cancelled) {
    lastChange += randomInt(random, 1, 48) * 3_600_000;
    order.cancelledAt = iso(lastChange);
    order.cancelReason = pick(random, CANCEL_REASONS);
  }
  lastChange += Math.floor(random() * 5 * DAY);
  order.updatedAt = iso(lastChange);
  return order;
}

export function generateShop(seed: ShopSeed, defaults: { seed: number; customers: number; orders: number }): ShopRecord {
  const shopSeed = seed.seed ?? (defaults.seed ^ hashString(seed.handle)) >>> 0;
  const random = mulberry32(shopSeed);
  const shop: ShopRecord = {
    handle: seed.handle,
    domain: `${seed.handle}.myshopify.com`,
    id: 60_000_000 + (hashString(seed.handle) % 10_000_000),
    name: seed.name ?? seed.handle.replace(/(^|-)(\w)/g, (_m, sep: string, c: string) => (sep ? " " : "") + c.toUpperCase()),
    email: `owner@${seed.handle}.example.com`,
    currencyCode: seed.currencyCode ?? "USD",
    ianaTimezone: "America/New_York",
    createdAt: iso(DATA_EPOCH - 30 * DAY),
    customers: [],
    orders: [],
    nextId: 1_000_001,
    nextOrderNumber: 1001,
    random,
  };
  const customerCount = seed.customers ?? defaults.customers;
  const orderCount = seed.orders ?? defaults.orders;
  for (let i = 0; i < customerCount; i++) {
    shop.customers.push(createCustomer(shop, DATA_EPOCH + (i / Math.max(1, customerCount)) * DATA_SPAN_DAYS * 0.8 * DAY));
  }
  for (let i = 0; i < orderCount; i++) {
    const createdAtMs = DATA_EPOCH + (i / Math.max(1, orderCount)) * DATA_SPAN_DAYS * DAY + randomInt(random, 0, 3600) * 1000;
    shop.orders.push(createOrder(shop, createdAtMs));
  }
  return shop;
}

/** The latest updatedAt in the shop, so mutations can always move time forward. */
export function latestUpdate(shop: ShopRecord): number {
  let latest = Date.parse(shop.createdAt);
  for (const c of shop.customers) latest = Math.max(latest, Date.parse(c.updatedAt));
  for (const o of shop.orders) latest = Math.max(latest, Date.parse(o.updatedAt));
  return latest;
}

export interface AdvanceOptions {
  /** Existing orders to change (a refund, a cancellation or a note edit). */
  orders?: number;
  /** Existing customers to change. */
  customers?: number;
  /** New orders to create. */
  newOrders?: number;
  /** New customers to create. */
  newCustomers?: number;
  /** When the changes happen; defaults to just after the latest change in the shop. */
  at?: Date;
}

export interface AdvanceResult {
  orderIds: number[];
  customerIds: number[];
  at: string;
}

/** Deterministically changes records and moves their updatedAt forward, for incremental-sync tests. */
export function advanceShop(shop: ShopRecord, options: AdvanceOptions, nowMs: number): AdvanceResult {
  const random = shop.random;
  let at = Math.max(options.at?.getTime() ?? 0, nowMs, latestUpdate(shop) + 1000);
  const tick = () => (at += 1000);
  const orderIds: number[] = [];
  const customerIds: number[] = [];
  for (let i = 0; i < (options.newCustomers ?? 0); i++) {
    const customer = createCustomer(shop, tick());
    customer.updatedAt = customer.createdAt;
    shop.customers.push(customer);
    customerIds.push(customer.id);
  }
  for (let i = 0; i < (options.customers ?? 0) && shop.customers.length > 0; i++) {
    const customer = pick(random, shop.customers);
    customer.note = `Updated ${iso(at)}`;
    customer.updatedAt = iso(tick());
    customerIds.push(customer.id);
  }
  for (let i = 0; i < (options.newOrders ?? 0); i++) {
    const order = createOrder(shop, tick());
    // New orders must land at `at`, not at a random later time.
    order.updatedAt = iso(Math.max(at, ...order.refunds.map((r) => Date.parse(r.createdAt))));
    at = Date.parse(order.updatedAt);
    shop.orders.push(order);
    orderIds.push(order.id);
  }
  for (let i = 0; i < (options.orders ?? 0) && shop.orders.length > 0; i++) {
    const order = pick(random, shop.orders);
    const refundable = order.cancelledAt === null && (order.displayFinancialStatus === "PAID" || order.displayFinancialStatus === "PARTIALLY_REFUNDED");
    if (refundable && random() < 0.6) {
      const refunds = buildRefunds(shop, order, false, tick());
      for (const refund of refunds) {
        refund.createdAt = refund.updatedAt = iso(tick());
      }
      if (refunds.length > 0) {
        order.refunds.push(...refunds);
        order.displayFinancialStatus = "PARTIALLY_REFUNDED";
      }
    } else if (order.cancelledAt === null && random() < 0.3) {
      order.cancelledAt = iso(tick());
      order.cancelReason = "CUSTOMER";
      if (order.displayFinancialStatus === "PENDING" || order.displayFinancialStatus === "AUTHORIZED") {
        order.displayFinancialStatus = "VOIDED";
      }
    }
    order.updatedAt = iso(tick());
    orderIds.push(order.id);
  }
  return { orderIds, customerIds, at: iso(at) };
}
