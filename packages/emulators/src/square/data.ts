// Deterministic seeded Square data: a merchant's locations, customers, orders, payments and
// refunds, generated from (seed, merchant id) alone so two emulators with the same options serve
// byte-identical records. The builders here are shared with mutations.ts.

import { pick, randomInt } from "../common/random.js";
import { createRandom, randomId, type Random } from "./random.js";
import type {
  MerchantData,
  Money,
  SquareCurrency,
  SquareCustomer,
  SquareLocation,
  SquareOrder,
  SquareOrderLineItem,
  SquareMoneyAmounts,
  SquareOrderRefundStatus,
  SquareOrderState,
  SquarePayment,
  SquareRefund,
  SquareRefundStatus,
} from "./types.js";

export interface SquareMerchantSeed {
  id: string;
  businessName: string;
  currency: SquareCurrency;
  /** Number of locations; Square's SearchOrders takes at most 10 location ids per call. */
  locations: number;
  customers?: number;
  orders?: number;
  country?: string;
  languageCode?: string;
}

export interface DataTimeline {
  /** Seeded history ends here (ms since epoch); mutations are stamped after it. */
  anchorMs: number;
  historyDays: number;
}

const DAY_MS = 86_400_000;
const MINUTE_MS = 60_000;

interface CurrencyProfile {
  country: string;
  languageCode: string;
  timezone: string;
  /** Base price range in minor units. */
  price: [number, number];
  taxRate: number;
}

const CURRENCY_PROFILES: Record<string, CurrencyProfile> = {
  USD: { country: "US", languageCode: "en-US", timezone: "America/Los_Angeles", price: [199, 4_999], taxRate: 0.0875 },
  // JPY has no minor unit: amounts are whole yen.
  JPY: { country: "JP", languageCode: "ja-JP", timezone: "Asia/Tokyo", price: [150, 6_000], taxRate: 0.1 },
  // KWD has three decimals: 1.500 KWD is 1500. Kuwait has no VAT, so tax is zero.
  KWD: { country: "KW", languageCode: "ar-KW", timezone: "Asia/Kuwait", price: [500, 15_000], taxRate: 0 },
};

function profileFor(currency: SquareCurrency): CurrencyProfile {
  return CURRENCY_PROFILES[currency] ?? { country: "US", languageCode: "en-US", timezone: "UTC", price: [100, 5_000], taxRate: 0.05 };
}

const PRODUCTS = ["Latte", "Espresso", "Croissant", "Bagel", "Cold Brew", "Matcha", "Muffin", "Tea", "Sandwich", "Cookie", "Granola", "Juice"];
const GIVEN_NAMES = ["Ada", "Grace", "Alan", "Edsger", "Barbara", "Donald", "Hedy", "Ken", "Margaret", "Yukihiro", "Fatima", "Omar"];
const FAMILY_NAMES = ["Lovelace", "Hopper", "Turing", "Dijkstra", "Liskov", "Knuth", "Lamarr", "Thompson", "Hamilton", "Matsumoto", "Al-Sabah", "Haddad"];
const REFUND_REASONS = ["Returned goods", "Customer complaint", "Wrong item", "Damaged", "Overcharged"];

export const iso = (ms: number): string => new Date(ms).toISOString();
export const money = (amount: number, currency: SquareCurrency): Money => ({ amount, currency });

/** Context the builders need: the merchant's currency profile and its id source. */
export interface BuildContext {
  random: Random;
  merchant: SquareMerchantSeed;
  profile: CurrencyProfile;
  locations: SquareLocation[];
}

export function buildCustomer(ctx: BuildContext, createdMs: number, updatedMs: number): SquareCustomer {
  const { random } = ctx;
  const given = pick(random, GIVEN_NAMES);
  const family = pick(random, FAMILY_NAMES);
  const id = randomId(random, 26);
  const customer: SquareCustomer = {
    id,
    created_at: iso(createdMs),
    updated_at: iso(updatedMs),
    given_name: given,
    family_name: family,
    preferences: { email_unsubscribed: random() < 0.2 },
    creation_source: "THIRD_PARTY",
    version: updatedMs > createdMs ? randomInt(random, 1, 4) : 0,
  };
  if (random() < 0.9) customer.email_address = `${given}.${family}.${id.slice(0, 5)}@example.com`.toLowerCase();
  if (random() < 0.5) customer.phone_number = `+1-555-${String(randomInt(random, 100, 999))}-${String(randomInt(random, 1000, 9999))}`;
  if (random() < 0.2) customer.company_name = `${family} Holdings`;
  if (random() < 0.3) customer.reference_id = `REF-${randomInt(random, 1000, 9999)}`;
  return customer;
}

function buildLineItem(ctx: BuildContext): SquareOrderLineItem {
  const { random, merchant, profile } = ctx;
  const currency = merchant.currency;
  const quantity = randomInt(random, 1, 3);
  const base = randomInt(random, profile.price[0], profile.price[1]);
  const gross = base * quantity;
  const discount = random() < 0.2 ? Math.round(gross * 0.1) : 0;
  const tax = Math.round((gross - discount) * profile.taxRate);
  return {
    uid: randomId(random, 22),
    name: pick(random, PRODUCTS),
    quantity: String(quantity),
    item_type: "ITEM",
    base_price_money: money(base, currency),
    variation_total_price_money: money(gross, currency),
    gross_sales_money: money(gross, currency),
    total_discount_money: money(discount, currency),
    total_tax_money: money(tax, currency),
    total_money: money(gross - discount + tax, currency),
  };
}

export interface OrderShape {
  locationId: string;
  customerId?: string;
  createdMs: number;
}

/** An OPEN order with line items and totals; close it with completeOrder / cancelOrder. */
export function buildOpenOrder(ctx: BuildContext, shape: OrderShape): SquareOrder {
  const { random, merchant } = ctx;
  const currency = merchant.currency;
  const lineItems = Array.from({ length: randomInt(random, 1, 4) }, () => buildLineItem(ctx));
  const sum = (pickMoney: (item: SquareOrderLineItem) => Money) => lineItems.reduce((total, item) => total + pickMoney(item).amount, 0);
  const gross = sum((item) => item.gross_sales_money);
  const serviceCharge = random() < 0.1 ? Math.round(gross * 0.05) : 0;
  const order: SquareOrder = {
    id: randomId(random, 29),
    location_id: shape.locationId,
    source: { name: random() < 0.7 ? "Square Point of Sale" : "Online Store" },
    line_items: lineItems,
    total_money: money(sum((item) => item.total_money) + serviceCharge, currency),
    total_tax_money: money(
      sum((item) => item.total_tax_money),
      currency,
    ),
    total_discount_money: money(
      sum((item) => item.total_discount_money),
      currency,
    ),
    total_service_charge_money: money(serviceCharge, currency),
    state: "OPEN",
    created_at: iso(shape.createdMs),
    updated_at: iso(shape.createdMs),
    version: 1,
  };
  if (shape.customerId) order.customer_id = shape.customerId;
  return order;
}

/** Pays an OPEN order in full: adds the tender and its payment, and closes the order at `atMs`. */
export function completeOrder(ctx: BuildContext, data: MerchantData, order: SquareOrder, atMs: number): SquarePayment {
  const { random } = ctx;
  const paymentId = randomId(random, 30);
  const sourceType = random() < 0.85 ? "CARD" : "CASH";
  const paidMs = Math.max(Date.parse(order.created_at), atMs - MINUTE_MS);
  const payment: SquarePayment = {
    id: paymentId,
    created_at: iso(paidMs),
    updated_at: iso(atMs),
    amount_money: { ...order.total_money },
    total_money: { ...order.total_money },
    status: "COMPLETED",
    source_type: sourceType,
    location_id: order.location_id,
    order_id: order.id,
    version_token: randomId(random, 20),
  };
  if (order.customer_id) payment.customer_id = order.customer_id;
  order.tenders = [
    {
      id: paymentId,
      location_id: order.location_id,
      transaction_id: order.id,
      created_at: iso(paidMs),
      amount_money: { ...order.total_money },
      type: sourceType,
      payment_id: paymentId,
    },
  ];
  order.state = "COMPLETED";
  order.closed_at = iso(atMs);
  order.updated_at = iso(atMs);
  order.version += 1;
  data.payments.push(payment);
  return payment;
}

export function cancelOrder(order: SquareOrder, atMs: number): void {
  order.state = "CANCELED";
  order.closed_at = iso(atMs);
  order.updated_at = iso(atMs);
  order.version += 1;
}

/** Amount of a payment still refundable. */
export function refundableAmount(payment: SquarePayment): number {
  return payment.amount_money.amount - (payment.refunded_money?.amount ?? 0);
}

/** PaymentRefund.status → the status the return order's `Refund` shows (Square's RefundStatus). */
export function orderRefundStatus(status: SquareRefundStatus): SquareOrderRefundStatus {
  return status === "COMPLETED" ? "APPROVED" : status;
}

const zeroAmounts = (currency: SquareCurrency): SquareMoneyAmounts => ({
  total_money: money(0, currency),
  tax_money: money(0, currency),
  discount_money: money(0, currency),
  tip_money: money(0, currency),
  service_charge_money: money(0, currency),
});

/**
 * The return order Square creates for a refund: nothing sold (no line items, totals 0), one
 * `returns[]` entry naming the sale, the refunded amount in return_amounts (net_amounts is
 * its negative), and the refund itself in `refunds[]`. The sale order is not changed.
 */
function buildReturnOrder(ctx: BuildContext, sale: SquareOrder, refund: SquareRefund, tenderId: string): SquareOrder {
  const currency = sale.total_money.currency;
  const returned = { ...zeroAmounts(currency), total_money: money(refund.amount_money.amount, currency) };
  const order: SquareOrder = {
    id: randomId(ctx.random, 29),
    location_id: sale.location_id,
    source: { name: sale.source.name },
    line_items: [],
    returns: [{ uid: randomId(ctx.random, 22), source_order_id: sale.id, return_amounts: returned }],
    return_amounts: returned,
    net_amounts: { ...zeroAmounts(currency), total_money: money(-refund.amount_money.amount, currency) },
    refunds: [],
    total_money: money(0, currency),
    total_tax_money: money(0, currency),
    total_discount_money: money(0, currency),
    total_service_charge_money: money(0, currency),
    state: "COMPLETED",
    created_at: refund.created_at,
    updated_at: refund.created_at,
    closed_at: refund.created_at,
    version: 1,
  };
  if (sale.customer_id) order.customer_id = sale.customer_id;
  order.refunds!.push({
    id: refund.id,
    location_id: sale.location_id,
    transaction_id: order.id,
    tender_id: tenderId,
    created_at: refund.created_at,
    reason: refund.reason,
    amount_money: { ...refund.amount_money },
    status: orderRefundStatus(refund.status),
  });
  return order;
}

/**
 * Refunds part (or all) of a completed order's payment at `atMs` as Square does: the
 * PaymentRefund points at its payment and at a new return order (PaymentRefund.order_id),
 * whose returns[].source_order_id is the sale; the payment's refunded totals grow.
 */
export function refundOrder(ctx: BuildContext, data: MerchantData, order: SquareOrder, amount: number, atMs: number, status: SquareRefundStatus = "COMPLETED"): SquareRefund {
  const tender = order.tenders?.[0];
  const payment = tender && data.payments.find((candidate) => candidate.id === tender.payment_id);
  if (!tender || !payment) throw new Error(`order ${order.id} has no payment to refund`);
  if (amount <= 0 || amount > refundableAmount(payment)) throw new Error(`refund amount ${amount} exceeds what order ${order.id} can refund`);
  const { random } = ctx;
  const currency = order.total_money.currency;
  const refund: SquareRefund = {
    id: `${payment.id}_${randomId(random, 26)}`,
    status,
    amount_money: money(amount, currency),
    payment_id: payment.id,
    location_id: order.location_id,
    reason: pick(random, REFUND_REASONS),
    created_at: iso(atMs),
    updated_at: iso(atMs),
  };
  const returnOrder = buildReturnOrder(ctx, order, refund, tender.id);
  refund.order_id = returnOrder.id;
  data.refunds.push(refund);
  data.orders.push(returnOrder);
  payment.refunded_money = money((payment.refunded_money?.amount ?? 0) + amount, currency);
  (payment.refund_ids ??= []).push(refund.id);
  payment.updated_at = iso(atMs);
  return refund;
}

/**
 * An unlinked refund: money sent back (to a card or in cash) without a Square payment, so
 * it has no payment_id and no order to point at.
 */
export function unlinkedRefund(ctx: BuildContext, data: MerchantData, locationId: string, amount: number, atMs: number): SquareRefund {
  const refund: SquareRefund = {
    id: randomId(ctx.random, 44),
    status: "COMPLETED",
    amount_money: money(amount, data.merchant.currency),
    unlinked: true,
    destination_type: ctx.random() < 0.5 ? "CARD" : "CASH",
    location_id: locationId,
    reason: pick(ctx.random, REFUND_REASONS),
    created_at: iso(atMs),
    updated_at: iso(atMs),
  };
  data.refunds.push(refund);
  return refund;
}

/** Moves a PENDING refund to COMPLETED (or another final status) at `atMs`, on the refund and its return order. */
export function settleRefund(data: MerchantData, refund: SquareRefund, atMs: number, status: SquareRefundStatus = "COMPLETED"): void {
  refund.status = status;
  refund.updated_at = iso(atMs);
  const order = data.orders.find((candidate) => candidate.id === refund.order_id);
  const mirrored = order?.refunds?.find((candidate) => candidate.id === refund.id);
  if (order && mirrored) {
    mirrored.status = orderRefundStatus(status);
    order.updated_at = iso(atMs);
    order.version += 1;
  }
}

/**
 * Deletes a customer profile at `atMs` (or merges it into `mergedInto`): it leaves the
 * directory, so ListCustomers, SearchCustomers and RetrieveCustomer no longer find it.
 */
export function deleteCustomer(data: MerchantData, customerId: string, atMs: number, mergedInto?: string): SquareCustomer {
  const index = data.customers.findIndex((candidate) => candidate.id === customerId);
  if (index < 0) throw new Error(`unknown customer ${customerId}`);
  const [customer] = data.customers.splice(index, 1);
  data.deletedCustomers.push({ customer: customer!, deleted_at: iso(atMs), ...(mergedInto ? { mergedInto } : {}) });
  return customer!;
}

function spread(random: Random, fromMs: number, toMs: number): number {
  return fromMs + Math.floor(random() * Math.max(1, toMs - fromMs));
}

export function buildContext(seed: string | number, merchant: SquareMerchantSeed, stream: string, locations: SquareLocation[]): BuildContext {
  return { random: createRandom("square", seed, merchant.id, stream), merchant, profile: profileFor(merchant.currency), locations };
}

/** Generates one merchant's complete data set from (seed, merchant seed, timeline). */
export function generateMerchantData(seed: string | number, seedMerchant: SquareMerchantSeed, timeline: DataTimeline): MerchantData {
  const merchantSeed = { ...seedMerchant, locations: Math.max(1, seedMerchant.locations) };
  const profile = profileFor(merchantSeed.currency);
  const country = merchantSeed.country ?? profile.country;
  const languageCode = merchantSeed.languageCode ?? profile.languageCode;
  const endMs = timeline.anchorMs;
  const startMs = endMs - timeline.historyDays * DAY_MS;
  const locationRandom = createRandom("square", seed, merchantSeed.id, "locations");

  const locations: SquareLocation[] = Array.from({ length: merchantSeed.locations }, (_, index) => ({
    id: randomId(locationRandom, 13, "L"),
    name: index === 0 ? merchantSeed.businessName : `${merchantSeed.businessName} #${index + 1}`,
    merchant_id: merchantSeed.id,
    business_name: merchantSeed.businessName,
    country,
    language_code: languageCode,
    currency: merchantSeed.currency,
    timezone: profile.timezone,
    status: "ACTIVE",
    type: "PHYSICAL",
    capabilities: ["CREDIT_CARD_PROCESSING"],
    created_at: iso(startMs - randomInt(locationRandom, 30, 400) * DAY_MS),
  }));
  const data: MerchantData = {
    merchant: {
      id: merchantSeed.id,
      business_name: merchantSeed.businessName,
      country,
      language_code: languageCode,
      currency: merchantSeed.currency,
      status: "ACTIVE",
      main_location_id: locations[0]!.id,
      created_at: locations[0]!.created_at,
    },
    locations,
    customers: [],
    orders: [],
    payments: [],
    refunds: [],
    deletedCustomers: [],
  };

  const customerCtx = buildContext(seed, merchantSeed, "customers", locations);
  for (let index = 0; index < (merchantSeed.customers ?? 40); index += 1) {
    const createdMs = spread(customerCtx.random, startMs, endMs);
    // A third of customers were edited after creation, so updated_at filters differ from created_at ones.
    const updatedMs = customerCtx.random() < 0.35 ? spread(customerCtx.random, createdMs, endMs) : createdMs;
    data.customers.push(buildCustomer(customerCtx, createdMs, updatedMs));
  }

  const orderCtx = buildContext(seed, merchantSeed, "orders", locations);
  const { random } = orderCtx;
  for (let index = 0; index < (merchantSeed.orders ?? 60); index += 1) {
    // Every location gets orders before any gets a second one, so batching over locations is visible.
    const location = index < locations.length ? locations[index]! : pick(random, locations);
    const guest = data.customers.length === 0 || random() < 0.25;
    const customerId = guest ? undefined : pick(random, data.customers).id;
    const createdMs = spread(random, startMs, endMs - DAY_MS);
    const order = buildOpenOrder(orderCtx, { locationId: location.id, customerId, createdMs });
    data.orders.push(order);
    const roll = random();
    const state: SquareOrderState = roll < 0.15 ? "OPEN" : roll < 0.25 ? "CANCELED" : "COMPLETED";
    const closedMs = createdMs + randomInt(random, 1, 90) * MINUTE_MS;
    if (state === "OPEN") {
      order.updated_at = iso(spread(random, createdMs, closedMs));
      continue;
    }
    if (state === "CANCELED") {
      cancelOrder(order, closedMs);
      continue;
    }
    completeOrder(orderCtx, data, order, closedMs);
    const refundRoll = random();
    const total = order.total_money.amount;
    // Most refunds come within a month of the sale (so a long history has refunds over a year old); some much later.
    const refundAt = () => spread(random, closedMs + MINUTE_MS, random() < 0.8 ? Math.min(endMs, closedMs + 30 * DAY_MS) : endMs);
    if (refundRoll < 0.1) {
      refundOrder(orderCtx, data, order, Math.max(1, Math.floor(total * (0.2 + random() * 0.3))), refundAt());
    } else if (refundRoll < 0.17 && total >= 2) {
      const first = Math.max(1, Math.floor(total * 0.3));
      const firstMs = refundAt();
      refundOrder(orderCtx, data, order, first, firstMs);
      refundOrder(orderCtx, data, order, Math.max(1, Math.floor((total - first) * 0.5)), spread(random, firstMs + 1, endMs), random() < 0.4 ? "PENDING" : "COMPLETED");
    } else if (refundRoll < 0.22) {
      refundOrder(orderCtx, data, order, total, refundAt());
    }
  }

  // Separate random streams, so adding these leaves every record above unchanged.
  const unlinkedCtx = buildContext(seed, merchantSeed, "unlinked-refunds", locations);
  for (let index = 0; index < Math.max(1, Math.floor((merchantSeed.orders ?? 60) / 200)); index += 1) {
    const price = profile.price;
    unlinkedRefund(unlinkedCtx, data, pick(unlinkedCtx.random, locations).id, randomInt(unlinkedCtx.random, price[0], price[1]), spread(unlinkedCtx.random, startMs, endMs));
  }
  // Customers deleted before any sync: one deleted outright, one merged into another profile.
  const deletionCtx = buildContext(seed, merchantSeed, "deleted-customers", locations);
  if (data.customers.length >= 4) {
    deleteCustomer(data, pick(deletionCtx.random, data.customers).id, spread(deletionCtx.random, startMs, endMs));
    const merged = pick(deletionCtx.random, data.customers);
    const survivor = data.customers.find((candidate) => candidate.id !== merged.id)!;
    deleteCustomer(data, merged.id, spread(deletionCtx.random, startMs, endMs), survivor.id);
  }
  return data;
}

/** The default merchants: one with more than 10 locations (SearchOrders batching), and a JPY and a KWD one. */
export const DEFAULT_MERCHANTS: SquareMerchantSeed[] = [
  { id: "MLEMUUSD0000001", businessName: "Emulated Coffee Co", currency: "USD", locations: 12, customers: 60, orders: 150 },
  { id: "MLEMUJPY0000002", businessName: "Kissaten Emulator", currency: "JPY", locations: 2, customers: 20, orders: 40 },
  { id: "MLEMUKWD0000003", businessName: "Kuwait Emulated Trading", currency: "KWD", locations: 1, customers: 10, orders: 25 },
];
