// Webhook delivery with Shopify's headers and signature: X-Shopify-Hmac-Sha256 is the base64
// HMAC-SHA256 of the raw body keyed with the app's client secret.
import { createHmac, randomUUID } from "node:crypto";
import { formatDecimal, type CustomerRecord, type OrderRecord, type RefundRecord, type ShopRecord } from "./data.js";
import type { ShopifyEmulatorState } from "./state.js";

export type WebhookTopic =
  | "orders/create"
  | "orders/updated"
  | "orders/cancelled"
  | "orders/delete"
  | "bulk_operations/finish"
  | "customers/delete"
  | "refunds/create"
  | "customers/create"
  | "customers/update"
  | "app/uninstalled"
  | "customers/data_request"
  | "customers/redact"
  | "shop/redact";

export function webhookHmac(rawBody: string, clientSecret: string): string {
  return createHmac("sha256", clientSecret).update(rawBody, "utf8").digest("base64");
}

export interface DeliverWebhookOptions {
  /** Which app's secret signs it; defaults to the only registered app. */
  clientId?: string;
  webhookId?: string;
  apiVersion?: string;
  /** Sign with this secret instead, to test rejection of a bad signature. */
  signingSecretOverride?: string;
  /**
   * Deliver this earlier delivery again, as Shopify retries one: the same webhook id, event
   * id and triggered-at time (X-Shopify-Event-Id is what tells a duplicate of an event).
   */
  redeliveryOf?: Pick<WebhookDelivery, "headers">;
}

export interface WebhookDelivery {
  webhookId: string;
  status: number;
  responseBody: string;
  headers: Record<string, string>;
  body: string;
}

export async function deliverWebhook(
  state: ShopifyEmulatorState,
  handle: string,
  topic: WebhookTopic | (string & {}),
  payload: unknown,
  url: string,
  options: DeliverWebhookOptions = {},
): Promise<WebhookDelivery> {
  const shop = state.shop(handle);
  const apps = [...state.apps.values()];
  const app = options.clientId ? state.apps.get(options.clientId) : apps.length === 1 ? apps[0] : undefined;
  if (!app) throw new Error("deliverWebhook needs options.clientId when zero or several apps are registered");
  const body = typeof payload === "string" ? payload : JSON.stringify(payload);
  const earlier = options.redeliveryOf?.headers;
  const webhookId = options.webhookId ?? earlier?.["X-Shopify-Webhook-Id"] ?? randomUUID();
  const headers: Record<string, string> = {
    "Content-Type": "application/json",
    "X-Shopify-Topic": topic,
    "X-Shopify-Hmac-Sha256": webhookHmac(body, options.signingSecretOverride ?? app.clientSecret),
    "X-Shopify-Shop-Domain": shop.domain,
    "X-Shopify-Webhook-Id": webhookId,
    "X-Shopify-Event-Id": earlier?.["X-Shopify-Event-Id"] ?? randomUUID(),
    "X-Shopify-Triggered-At": earlier?.["X-Shopify-Triggered-At"] ?? new Date(state.now()).toISOString(),
    "X-Shopify-API-Version": options.apiVersion ?? state.webhookApiVersion,
  };
  const response = await fetch(url, { method: "POST", headers, body });
  return { webhookId, status: response.status, responseBody: await response.text(), headers, body };
}

// REST-shaped payloads, as Shopify sends for these topics (a useful subset of fields).

function money(minor: number, currency: string): string {
  return formatDecimal(minor, currency).replace(/\.(\d)$/, ".$10");
}

export function customerWebhookPayload(shop: ShopRecord, customer: CustomerRecord): Record<string, unknown> {
  return {
    id: customer.id,
    admin_graphql_api_id: `gid://shopify/Customer/${customer.id}`,
    email: customer.email,
    first_name: customer.firstName,
    last_name: customer.lastName,
    phone: customer.phone,
    note: customer.note,
    tags: customer.tags.join(", "),
    created_at: customer.createdAt,
    updated_at: customer.updatedAt,
    currency: shop.currencyCode,
  };
}

export function orderWebhookPayload(shop: ShopRecord, order: OrderRecord): Record<string, unknown> {
  const customer = order.customerId === null ? undefined : shop.customers.find((c) => c.id === order.customerId);
  const p = order.presentmentCurrencyCode;
  const s = shop.currencyCode;
  const set = (pair: { shop: number; presentment: number }) => ({
    shop_money: { amount: money(pair.shop, s), currency_code: s },
    presentment_money: { amount: money(pair.presentment, p), currency_code: p },
  });
  return {
    id: order.id,
    admin_graphql_api_id: `gid://shopify/Order/${order.id}`,
    name: order.name,
    order_number: order.number,
    email: order.email,
    created_at: order.createdAt,
    updated_at: order.updatedAt,
    cancelled_at: order.cancelledAt,
    cancel_reason: order.cancelReason?.toLowerCase() ?? null,
    financial_status: order.displayFinancialStatus.toLowerCase(),
    currency: s,
    presentment_currency: p,
    taxes_included: order.taxesIncluded,
    subtotal_price: money(order.subtotal.shop, s),
    total_tax: money(order.totalTax.shop, s),
    total_discounts: money(order.totalDiscounts.shop, s),
    total_price: money(order.total.shop, s),
    subtotal_price_set: set(order.subtotal),
    total_tax_set: set(order.totalTax),
    total_discounts_set: set(order.totalDiscounts),
    total_shipping_price_set: set(order.totalShipping),
    total_price_set: set(order.total),
    customer: customer ? customerWebhookPayload(shop, customer) : null,
    line_items: order.lineItems.map((li) => ({
      id: li.id,
      admin_graphql_api_id: `gid://shopify/LineItem/${li.id}`,
      title: li.title,
      sku: li.sku,
      quantity: li.quantity,
      current_quantity: li.currentQuantity,
      price: money(li.unitPrice.shop, s),
      price_set: set(li.unitPrice),
      taxable: li.taxable,
    })),
    refunds: order.refunds.map((r) => refundWebhookPayload(shop, order, r)),
  };
}

export function refundWebhookPayload(shop: ShopRecord, order: OrderRecord, refund: RefundRecord): Record<string, unknown> {
  const s = shop.currencyCode;
  const p = order.presentmentCurrencyCode;
  return {
    id: refund.id,
    admin_graphql_api_id: `gid://shopify/Refund/${refund.id}`,
    order_id: order.id,
    created_at: refund.createdAt,
    processed_at: refund.createdAt,
    note: refund.note,
    refund_line_items: refund.lineItems.map((rli) => ({
      id: rli.id,
      line_item_id: rli.lineItemId,
      quantity: rli.quantity,
      subtotal: money(rli.subtotal.shop, s),
      total_tax: money(rli.totalTax.shop, s),
      subtotal_set: {
        shop_money: { amount: money(rli.subtotal.shop, s), currency_code: s },
        presentment_money: { amount: money(rli.subtotal.presentment, p), currency_code: p },
      },
    })),
  };
}

export function appUninstalledPayload(shop: ShopRecord): Record<string, unknown> {
  return { id: shop.id, name: shop.name, email: shop.email, domain: shop.domain, myshopify_domain: shop.domain, currency: shop.currencyCode };
}

export function customersDataRequestPayload(shop: ShopRecord, customer: CustomerRecord, orderIds: number[]): Record<string, unknown> {
  return {
    shop_id: shop.id,
    shop_domain: shop.domain,
    orders_requested: orderIds,
    customer: { id: customer.id, email: customer.email, phone: customer.phone },
    data_request: { id: 9999 },
  };
}

export function customersRedactPayload(shop: ShopRecord, customer: CustomerRecord, orderIds: number[]): Record<string, unknown> {
  return {
    shop_id: shop.id,
    shop_domain: shop.domain,
    customer: { id: customer.id, email: customer.email, phone: customer.phone },
    orders_to_redact: orderIds,
  };
}

export function shopRedactPayload(shop: ShopRecord): Record<string, unknown> {
  return { shop_id: shop.id, shop_domain: shop.domain };
}

/** customers/delete: Shopify sends the id and the fields a deleted customer still has (none of its data). */
export function customerDeletePayload(customerId: number): Record<string, unknown> {
  return {
    id: customerId,
    phone: null,
    addresses: [],
    tax_exemptions: [],
    email_marketing_consent: null,
    sms_marketing_consent: null,
    admin_graphql_api_id: `gid://shopify/Customer/${customerId}`,
  };
}

/** orders/delete: only the id. */
export function orderDeletePayload(orderId: number): Record<string, unknown> {
  return { id: orderId };
}
