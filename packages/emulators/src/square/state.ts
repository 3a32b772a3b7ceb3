// The emulator's mutable world: apps, seeded merchant data, OAuth grants, cursors, faults and a
// clock. Tests hold this object to mutate data (incremental syncs), revoke tokens, inject
// faults, move time and read back exactly what the API serves.

import { CursorStore } from "./cursors.js";
import {
  buildContext,
  buildCustomer,
  buildOpenOrder,
  cancelOrder,
  completeOrder,
  deleteCustomer,
  DEFAULT_MERCHANTS,
  generateMerchantData,
  iso,
  refundableAmount,
  refundOrder,
  settleRefund,
  type BuildContext,
  type SquareMerchantSeed,
} from "./data.js";
import { FaultInjector, type FaultOptions, type RateLimitOptions } from "./faults.js";
import { pick, randomInt } from "../common/random.js";
import { createRandom } from "./random.js";
import { OAuthStore, type IssuedTokens } from "./tokens.js";
import type { MerchantData, SquareCustomer, SquareOrder, SquareRefund } from "./types.js";
import { buildWebhookEvent, deliverWebhook, type SquareWebhookEvent, type SquareWebhookType, type WebhookDelivery } from "./webhooks.js";

export interface SquareApp {
  clientId: string;
  clientSecret: string;
  /** The app's registered redirect URL; authorize requests may omit redirect_uri when set. */
  redirectUri?: string;
}

export interface SquareEmulatorOptions {
  apps?: SquareApp[];
  merchants?: SquareMerchantSeed[];
  /** Seed of the generated data and the random fault schedule (default 1). */
  seed?: string | number;
  /** Merchant authorized by the consent page when the form does not choose one. */
  defaultMerchantId?: string;
  /** Skip the consent page: authorize redirects straight back with a code. */
  autoApprove?: boolean;
  /** Clock for token, code and cursor lifetimes and mutation timestamps (default Date.now). */
  now?: () => number;
  /** End of the seeded history (ISO, default 2025-06-01T00:00:00.000Z). */
  dataAnchor?: string;
  /** Length of the seeded history in days (default 450: some orders and refunds are over a year old). */
  historyDays?: number;
  rateLimit?: RateLimitOptions;
  faults?: FaultOptions;
  /** Record every exchange served to this directory (see recorder.ts); default $BACKFILL_SQUARE_RECORD_DIR. */
  recordDir?: string;
}

export interface RequestLogEntry {
  method: string;
  path: string;
  squareVersion?: string;
  status: number;
}

/** Ids touched by a mutation, per record type. */
export interface ChangeSet {
  customers: string[];
  orders: string[];
  payments: string[];
  refunds: string[];
}

export interface AdvanceOptions {
  merchantId?: string;
  /** Existing customers to edit (default 3). */
  updateCustomers?: number;
  /** New customers (default 1). */
  newCustomers?: number;
  /** New orders, half of them paid (default 2). */
  newOrders?: number;
  /** OPEN orders to close, completing or canceling (default 2). */
  closeOrders?: number;
  /** Completed orders to refund partially (default 1). */
  refundOrders?: number;
}

export const DEFAULT_APP: SquareApp = { clientId: "sq0idp-emulator-app", clientSecret: "sq0csp-emulator-secret" };
const DEFAULT_ANCHOR = "2025-06-01T00:00:00.000Z";
// Longer than a year: ListPayments/ListPaymentRefunds default begin_time is "a year ago", so
// a client that forgets begin_time visibly loses the oldest refunds.
const DEFAULT_HISTORY_DAYS = 450;

const emptyChanges = (): ChangeSet => ({ customers: [], orders: [], payments: [], refunds: [] });

export class SquareEmulatorState {
  readonly seed: string | number;
  readonly apps = new Map<string, SquareApp>();
  readonly merchants = new Map<string, MerchantData>();
  readonly oauth: OAuthStore;
  readonly cursors: CursorStore;
  readonly faults: FaultInjector;
  readonly requests: RequestLogEntry[] = [];
  autoApprove: boolean;
  defaultMerchantId: string | undefined;
  private readonly baseNow: () => number;
  private clockOffsetMs = 0;
  private lastStampMs: number;
  private mutationCount = 0;
  private webhookCount = 0;

  constructor(readonly options: SquareEmulatorOptions = {}) {
    this.seed = options.seed ?? 1;
    this.baseNow = options.now ?? Date.now;
    const now = () => this.now();
    for (const app of options.apps ?? [DEFAULT_APP]) this.apps.set(app.clientId, app);
    const anchorMs = Date.parse(options.dataAnchor ?? DEFAULT_ANCHOR);
    const timeline = { anchorMs, historyDays: options.historyDays ?? DEFAULT_HISTORY_DAYS };
    for (const seedMerchant of options.merchants ?? DEFAULT_MERCHANTS) {
      this.merchants.set(seedMerchant.id, generateMerchantData(this.seed, seedMerchant, timeline));
    }
    this.lastStampMs = anchorMs;
    this.autoApprove = options.autoApprove ?? false;
    this.defaultMerchantId = options.defaultMerchantId;
    this.oauth = new OAuthStore(now);
    this.cursors = new CursorStore(now);
    this.faults = new FaultInjector(this.seed, options.faults ?? {}, options.rateLimit, now);
  }

  now(): number {
    return this.baseNow() + this.clockOffsetMs;
  }

  /** Moves the emulator's clock forward (token, code and cursor expiry). */
  advanceClock(ms: number): void {
    this.clockOffsetMs += ms;
  }

  /** A timestamp for a change: the clock, but always after every existing record's timestamps. */
  private stamp(): number {
    this.lastStampMs = Math.max(this.now(), this.lastStampMs + 1);
    return this.lastStampMs;
  }

  merchant(merchantId: string): MerchantData {
    const data = this.merchants.get(merchantId);
    if (!data) throw new Error(`unknown Square merchant ${merchantId}`);
    return data;
  }

  /** A deep copy of a merchant's records, exactly as the API serves them. */
  snapshot(merchantId: string): MerchantData {
    return structuredClone(this.merchant(merchantId));
  }

  /** Grants an access token directly, skipping the browser flow (route and end-to-end tests). */
  issueAccessToken(merchantId: string, options: { clientId?: string; scopes?: string[]; pkce?: boolean } = {}): IssuedTokens {
    this.merchant(merchantId);
    return this.oauth.issueTokens({
      clientId: options.clientId ?? [...this.apps.keys()][0] ?? DEFAULT_APP.clientId,
      merchantId,
      scopes: options.scopes ?? ["MERCHANT_PROFILE_READ", "CUSTOMERS_READ", "ORDERS_READ", "PAYMENTS_READ"],
      pkce: options.pkce ?? false,
    });
  }

  /**
   * Revokes like a merchant disconnecting the app: by access token (every token of that
   * app+merchant dies) or by merchant id (every app's tokens for it die).
   */
  revokeToken(target: { accessToken: string } | { merchantId: string }): number {
    if ("accessToken" in target) {
      const record = this.oauth.accessTokens.get(target.accessToken);
      return record ? this.oauth.revoke(record.clientId, record.merchantId) : 0;
    }
    let count = 0;
    for (const clientId of this.apps.keys()) count += this.oauth.revoke(clientId, target.merchantId);
    return count;
  }

  private mutationContext(data: MerchantData): BuildContext {
    this.mutationCount += 1;
    const seedMerchant = { id: data.merchant.id, businessName: data.merchant.business_name, currency: data.merchant.currency, locations: data.locations.length };
    return buildContext(this.seed, seedMerchant, `mutation:${this.mutationCount}`, data.locations);
  }

  updateCustomer(merchantId: string, customerId: string, patch: Partial<Omit<SquareCustomer, "id" | "created_at" | "updated_at" | "version">>): SquareCustomer {
    const customer = this.merchant(merchantId).customers.find((candidate) => candidate.id === customerId);
    if (!customer) throw new Error(`unknown customer ${customerId}`);
    Object.assign(customer, patch, { updated_at: iso(this.stamp()), version: customer.version + 1 });
    return customer;
  }

  /** Refunds `amount` (default: a third of what is left) of a completed order. */
  refundOrder(merchantId: string, orderId: string, amount?: number, status: SquareRefund["status"] = "COMPLETED"): SquareRefund {
    const data = this.merchant(merchantId);
    const order = this.findOrder(data, orderId);
    const payment = data.payments.find((candidate) => candidate.id === order.tenders?.[0]?.payment_id);
    if (!payment) throw new Error(`order ${orderId} has no payment`);
    const refundAmount = amount ?? Math.max(1, Math.floor(refundableAmount(payment) / 3));
    return refundOrder(this.mutationContext(data), data, order, refundAmount, this.stamp(), status);
  }

  /** Deletes a customer profile (or merges it into `mergedInto`), as the seller would in the dashboard. */
  deleteCustomer(merchantId: string, customerId: string, mergedInto?: string): SquareCustomer {
    const data = this.merchant(merchantId);
    if (mergedInto !== undefined && !data.customers.some((candidate) => candidate.id === mergedInto && candidate.id !== customerId)) {
      throw new Error(`unknown customer ${mergedInto} to merge into`);
    }
    return deleteCustomer(data, customerId, this.stamp(), mergedInto);
  }

  completeOrder(merchantId: string, orderId: string): SquareOrder {
    const data = this.merchant(merchantId);
    const order = this.findOrder(data, orderId);
    if (order.state !== "OPEN") throw new Error(`order ${orderId} is ${order.state}, not OPEN`);
    completeOrder(this.mutationContext(data), data, order, this.stamp());
    return order;
  }

  cancelOrder(merchantId: string, orderId: string): SquareOrder {
    const order = this.findOrder(this.merchant(merchantId), orderId);
    if (order.state !== "OPEN") throw new Error(`order ${orderId} is ${order.state}, not OPEN`);
    cancelOrder(order, this.stamp());
    return order;
  }

  private findOrder(data: MerchantData, orderId: string): SquareOrder {
    const order = data.orders.find((candidate) => candidate.id === orderId);
    if (!order) throw new Error(`unknown order ${orderId}`);
    return order;
  }

  /**
   * One deterministic step of business activity: edits customers, adds customers and orders,
   * closes open orders, refunds completed ones and settles pending refunds, all stamped after
   * every existing timestamp. Returns the ids it touched, for incremental-sync assertions.
   */
  advance(options: AdvanceOptions = {}): ChangeSet {
    const merchantId = options.merchantId ?? [...this.merchants.keys()][0]!;
    const data = this.merchant(merchantId);
    const ctx = this.mutationContext(data);
    const { random } = ctx;
    const changes = emptyChanges();
    const touch = (kind: keyof ChangeSet, id: string) => {
      if (!changes[kind].includes(id)) changes[kind].push(id);
    };

    for (let index = 0; index < (options.updateCustomers ?? 3) && data.customers.length > 0; index += 1) {
      const customer = pick(random, data.customers);
      Object.assign(customer, {
        email_address: `updated.${this.mutationCount}.${index}.${customer.id.slice(0, 5)}@example.com`.toLowerCase(),
        updated_at: iso(this.stamp()),
        version: customer.version + 1,
      });
      touch("customers", customer.id);
    }
    for (let index = 0; index < (options.newCustomers ?? 1); index += 1) {
      const at = this.stamp();
      const customer = buildCustomer(ctx, at, at);
      data.customers.push(customer);
      touch("customers", customer.id);
    }
    for (let index = 0; index < (options.closeOrders ?? 2); index += 1) {
      const open = data.orders.filter((order) => order.state === "OPEN");
      if (open.length === 0) break;
      const order = pick(random, open);
      if (random() < 0.75) touch("payments", completeOrder(ctx, data, order, this.stamp()).id);
      else cancelOrder(order, this.stamp());
      touch("orders", order.id);
    }
    for (let index = 0; index < (options.refundOrders ?? 1); index += 1) {
      const refundable = data.orders.filter((order) => {
        const payment = order.state === "COMPLETED" && data.payments.find((candidate) => candidate.id === order.tenders?.[0]?.payment_id);
        return payment && refundableAmount(payment) > 1;
      });
      if (refundable.length === 0) break;
      const order = pick(random, refundable);
      const payment = data.payments.find((candidate) => candidate.id === order.tenders![0]!.payment_id)!;
      const refund = refundOrder(ctx, data, order, Math.max(1, Math.floor(refundableAmount(payment) / 2)), this.stamp());
      touch("refunds", refund.id);
      // The refund's return order is new; the sale itself does not change.
      touch("orders", refund.order_id!);
      touch("payments", payment.id);
    }
    const pending = data.refunds.find((refund) => refund.status === "PENDING");
    if (pending) {
      settleRefund(data, pending, this.stamp());
      touch("refunds", pending.id);
      if (pending.order_id) touch("orders", pending.order_id);
    }
    for (let index = 0; index < (options.newOrders ?? 2); index += 1) {
      const at = this.stamp();
      const customerId = random() < 0.3 || data.customers.length === 0 ? undefined : pick(random, data.customers).id;
      const order = buildOpenOrder(ctx, { locationId: pick(random, data.locations).id, customerId, createdMs: at });
      data.orders.push(order);
      if (index % 2 === 0) touch("payments", completeOrder(ctx, data, order, this.stamp()).id);
      touch("orders", order.id);
    }
    return changes;
  }

  /** A webhook event for a record's current state (see webhooks.ts for the shapes). */
  webhookEvent(merchantId: string, type: SquareWebhookType, id = ""): SquareWebhookEvent {
    this.webhookCount += 1;
    const random = createRandom("square-webhooks", this.seed, this.webhookCount);
    const hex = (length: number) => Array.from({ length }, () => randomInt(random, 0, 15).toString(16)).join("");
    const eventId = `${hex(8)}-${hex(4)}-4${hex(3)}-a${hex(3)}-${hex(12)}`;
    const event = buildWebhookEvent(this.merchant(merchantId), type, id, { eventId, createdAt: new Date(this.now()).toISOString() });
    if (!event) throw new Error(`no ${type.split(".")[0]} ${id} for merchant ${merchantId}`);
    return event;
  }

  deliverWebhook(url: string, notificationUrl: string, signatureKey: string, event: SquareWebhookEvent): Promise<WebhookDelivery> {
    return deliverWebhook(url, notificationUrl, signatureKey, event);
  }
}
