// What a Shopify webhook delivery must show, beyond its signature, before anything runs.
// Shopify signs only the body: the topic, shop, time and ids travel in unsigned headers.
// So the payload must fit the topic (a genuine orders/create body replayed as shop/redact
// or app/uninstalled is refused), the shop header must be the connection's shop, and a
// delivery older than a window (or dated in the future) is refused. The ids returned
// deduplicate redeliveries (Webhooks.alreadyProcessed).
import { createHash } from "node:crypto";
import type { RouteRequest } from "@backfill-io/sdk";

/**
 * Deliveries triggered longer ago than this are refused. Shopify retries a failed delivery
 * 8 times over 4 hours with its original payload and X-Shopify-Triggered-At, so the window
 * must outlast that or a host outage would lose compliance topics (customers/redact,
 * shop/redact) for good; replays inside it are caught by the dedupe ids.
 */
export const SHOPIFY_WEBHOOK_MAX_AGE_MS = 4.5 * 3600_000;

/**
 * Topics that destroy or revoke. Their ids and time travel in unsigned headers an attacker
 * can rewrite, so they are also deduplicated by a hash of the signed body: a captured
 * genuine shop/redact replayed with fresh headers is still the same body.
 */
const DESTRUCTIVE_TOPICS = new Set(["shop/redact", "customers/redact", "app/uninstalled"]);
/** How far in the future X-Shopify-Triggered-At may be (clock skew between Shopify and the host). */
export const SHOPIFY_WEBHOOK_MAX_CLOCK_SKEW_MS = 60_000;

// The error codes of refused deliveries (all 400: the request is wrong, a retry cannot fix it).
export const WEBHOOK_SHOP_MISSING = "webhook_shop_missing";
export const WEBHOOK_SHOP_MISMATCH = "webhook_shop_mismatch";
export const WEBHOOK_TRIGGERED_AT_INVALID = "webhook_triggered_at_invalid";
export const WEBHOOK_TOO_OLD = "webhook_too_old";
export const WEBHOOK_FROM_FUTURE = "webhook_from_future";
export const WEBHOOK_ID_MISSING = "webhook_id_missing";
export const WEBHOOK_PAYLOAD_TOPIC_MISMATCH = "webhook_payload_topic_mismatch";

export type DeliveryRefusal = { code: string; message: string };
export type ShopifyDelivery = { topic: string; shop: string; deliveryIds: string[] };

type Payload = Record<string, unknown>;

/** The delivery's topic, shop and dedupe ids, or why it is refused. `shopDomain` is the connection's. */
export function checkShopifyDelivery(request: RouteRequest, shopDomain: string, now: number): ShopifyDelivery | DeliveryRefusal {
  const h = request.headers;
  const topic = h["x-shopify-topic"] ?? "";
  const shop = h["x-shopify-shop-domain"]?.trim().toLowerCase();
  if (!shop) return { code: WEBHOOK_SHOP_MISSING, message: "X-Shopify-Shop-Domain is missing" };
  if (shop !== shopDomain) return { code: WEBHOOK_SHOP_MISMATCH, message: "webhook is for another shop" };
  const triggeredAt = Date.parse(h["x-shopify-triggered-at"] ?? "");
  if (!Number.isFinite(triggeredAt)) return { code: WEBHOOK_TRIGGERED_AT_INVALID, message: "X-Shopify-Triggered-At is missing or not a date" };
  if (now - triggeredAt > SHOPIFY_WEBHOOK_MAX_AGE_MS)
    return { code: WEBHOOK_TOO_OLD, message: `webhook was triggered more than ${SHOPIFY_WEBHOOK_MAX_AGE_MS / 3600_000} hours ago` };
  if (triggeredAt - now > SHOPIFY_WEBHOOK_MAX_CLOCK_SKEW_MS) return { code: WEBHOOK_FROM_FUTURE, message: "X-Shopify-Triggered-At is in the future" };
  const webhookId = h["x-shopify-webhook-id"]?.trim();
  if (!webhookId) return { code: WEBHOOK_ID_MISSING, message: "X-Shopify-Webhook-Id is missing" };
  const mismatch = payloadTopicMismatch(topic, payloadOf(request), shopDomain);
  if (mismatch) return { code: WEBHOOK_PAYLOAD_TOPIC_MISMATCH, message: `payload does not fit topic ${topic}: ${mismatch}` };
  // The event id is the same on every redelivery of one event (and across subscriptions to its topic).
  const eventId = h["x-shopify-event-id"]?.trim();
  const bodyId = DESTRUCTIVE_TOPICS.has(topic) ? [`shopify:body:${topic}:${createHash("sha256").update(request.rawBodyBytes).digest("hex")}`] : [];
  return { topic, shop, deliveryIds: [`shopify:webhook:${webhookId}`, ...(eventId ? [`shopify:event:${topic}:${eventId}`] : []), ...bodyId] };
}

export function isRefusal(value: ShopifyDelivery | DeliveryRefusal): value is DeliveryRefusal {
  return "code" in value;
}

function payloadOf(request: RouteRequest): Payload {
  return request.body && typeof request.body === "object" && !Array.isArray(request.body) ? (request.body as Payload) : {};
}

const GID = (type: string) => new RegExp(`^gid://shopify/${type}/\\d+$`);

function isGidOf(type: string, value: unknown): boolean {
  return typeof value === "string" && GID(type).test(value);
}

const isObject = (value: unknown) => !!value && typeof value === "object" && !Array.isArray(value);

/** A data topic's record: its admin_graphql_api_id is a GID of the topic's type. */
function recordOf(type: string) {
  return (p: Payload) => (isGidOf(type, p.admin_graphql_api_id) ? undefined : `admin_graphql_api_id is not a ${type} GID`);
}

/** The only fields of Shopify's deletion payloads: a genuine create/update body (signed, its topic header rewritten) is refused. */
const DELETE_PAYLOAD_FIELDS: Record<string, ReadonlySet<string>> = {
  "orders/delete": new Set(["id"]),
  "customers/delete": new Set(["id", "admin_graphql_api_id", "phone", "addresses", "tax_exemptions", "email_marketing_consent", "sms_marketing_consent"]),
};

/** A deletion's body: a numeric id (and, for customers, a matching GID), and nothing a data topic carries. */
function deletionOf(topic: string, type: string) {
  return (p: Payload) => {
    if (!(typeof p.id === "number" && Number.isSafeInteger(p.id) && p.id > 0)) return "id is not a numeric id";
    if (p.admin_graphql_api_id !== undefined && p.admin_graphql_api_id !== `gid://shopify/${type}/${p.id}`) return `admin_graphql_api_id is not this ${type}'s GID`;
    const allowed = DELETE_PAYLOAD_FIELDS[topic]!;
    const foreign = Object.keys(p).find((k) => !allowed.has(k));
    return foreign ? `${foreign} is not a field of ${topic}` : undefined;
  };
}

/** A compliance topic's body names this shop and has the topic's own fields, none of the others'. */
function complianceBody(shopDomain: string, p: Payload, required: string[], forbidden: string[]): string | undefined {
  if (p.shop_domain !== shopDomain) return "shop_domain is not the connection's shop";
  const missing = required.find((k) => p[k] === undefined);
  if (missing) return `${missing} is missing`;
  const foreign = forbidden.find((k) => p[k] !== undefined);
  return foreign ? `${foreign} belongs to another topic` : undefined;
}

const RULES: Record<string, (p: Payload, shopDomain: string) => string | undefined> = {
  "orders/create": recordOf("Order"),
  "orders/updated": recordOf("Order"),
  "customers/create": recordOf("Customer"),
  "customers/update": recordOf("Customer"),
  "orders/delete": deletionOf("orders/delete", "Order"),
  "customers/delete": deletionOf("customers/delete", "Customer"),
  "refunds/create": (p) => recordOf("Refund")(p) ?? (typeof p.order_id === "number" || typeof p.order_id === "string" ? undefined : "order_id is missing"),
  // A Shop object: its myshopify_domain is the connection's shop.
  "app/uninstalled": (p, shop) => {
    if (typeof p.myshopify_domain !== "string") return "myshopify_domain is missing";
    if (p.myshopify_domain.toLowerCase() !== shop) return "myshopify_domain is not the connection's shop";
    return p.shop_domain !== undefined ? "shop_domain belongs to a compliance topic" : undefined;
  },
  "shop/redact": (p, shop) => complianceBody(shop, p, ["shop_id"], ["customer", "orders_to_redact", "orders_requested", "data_request"]),
  "customers/redact": (p, shop) => (isObject(p.customer) ? complianceBody(shop, p, ["orders_to_redact"], ["data_request", "orders_requested"]) : "customer is missing"),
  "customers/data_request": (p, shop) => (isObject(p.customer) ? complianceBody(shop, p, ["data_request"], ["orders_to_redact"]) : "customer is missing"),
};

/** Why `payload` is not a body of `topic`, or undefined when it fits (unknown topics are only acknowledged). */
export function payloadTopicMismatch(topic: string, payload: Payload, shopDomain: string): string | undefined {
  const rule = RULES[topic];
  return rule ? rule(payload, shopDomain) : undefined;
}
