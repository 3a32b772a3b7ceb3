// POST /webhooks/shopify: every Shopify webhook topic the connector subscribes to.
// The signature is checked first, over the raw body bytes; a bad or missing one gets 401
// and nothing else runs. Then the unsigned headers and the payload must fit (the shop,
// the trigger time, the payload's shape for its topic: lib/webhook-delivery.ts), else
// 400. A delivery already processed (its webhook or event id) answers 200 and does
// nothing; a processed one is marked so atomically with its writes.
//
// Data topics re-read the record through the Admin API instead of mapping the REST-
// shaped payload: one mapper for sync and webhooks, and the current state even when
// webhooks arrive out of order. Without a usable token they are acknowledged and left
// to the next sync (its lookback picks the change up).
import { Connection, Records, Secrets, Settings, Webhooks, api, isReauthRequired, log, type EntityKind, type RouteRequest } from "@backfill-io/sdk";
import { mapAndIngest, type MappedRecord } from "@backfill-io/oauth-helpers";
import { AdminSession, completeOrder, completeOrderRefunds, type Completed } from "../../lib/follow-ups.js";
import { CUSTOMER_QUERY, ORDER_QUERY, SINGLE_ORDER_REFUNDS_QUERY } from "../../lib/documents.js";
import { shopifyFailureResponse } from "../../lib/provider-failure.js";
import { customerRecords, orderRecords, refundRecords } from "../../lib/streams.js";
import { verifyShopifyWebhook } from "../../lib/webhook-signature.js";
import { checkShopifyDelivery, isRefusal } from "../../lib/webhook-delivery.js";
import { customerKey, orderKey, shopifyGid } from "../../mappers/ids.js";
import type { ShopifyCustomer, ShopifyOrder, ShopifyOrderRefunds } from "../../mappers/shopify-types.js";

export const config = { auth: "webhook" };

type Payload = Record<string, unknown>;

type Refetch = {
  stream: string;
  kind: EntityKind;
  document: string;
  id: (payload: Payload) => string | null;
  /** The record's rest beyond what the document selects (as the sync reads it). */
  complete?: (session: AdminSession, data: Record<string, unknown>) => Completed<Record<string, unknown>>;
  records: (data: Record<string, unknown>) => MappedRecord[];
};

type Data = Record<string, unknown>;

function completeField<T>(field: string, complete: (session: AdminSession, node: T) => Completed<T>) {
  return (session: AdminSession, data: Data): Completed<Data> => {
    const node = data[field] as T | null | undefined;
    if (!node) return { ok: true, value: data };
    const completed = complete(session, node);
    return completed.ok ? { ok: true, value: { ...data, [field]: completed.value } } : completed;
  };
}

const REFETCH: Record<string, Refetch> = {
  "orders/create": orderRefetch(),
  "orders/updated": orderRefetch(),
  "refunds/create": {
    // Refund receipts belong to the orders stream, which reads them with their orders.
    stream: "orders",
    kind: "refund_receipt",
    document: SINGLE_ORDER_REFUNDS_QUERY,
    id: (p) => shopifyGid("Order", p.order_id),
    complete: completeField("order", completeOrderRefunds),
    records: (d) => (d.order ? refundRecords(d.order as ShopifyOrderRefunds) : []),
  },
  "customers/create": customerRefetch(),
  "customers/update": customerRefetch(),
};

function orderRefetch(): Refetch {
  return {
    stream: "orders",
    kind: "sales_receipt",
    document: ORDER_QUERY,
    id: (p) => shopifyGid("Order", p.admin_graphql_api_id),
    complete: completeField("order", completeOrder),
    records: (d) => (d.order ? orderRecords(d.order as ShopifyOrder) : []),
  };
}

function customerRefetch(): Refetch {
  return {
    stream: "customers",
    kind: "customer",
    document: CUSTOMER_QUERY,
    id: (p) => shopifyGid("Customer", p.admin_graphql_api_id),
    records: (d) => (d.customer ? customerRecords(d.customer as ShopifyCustomer) : []),
  };
}

function refetchAndIngest(topic: string, spec: Refetch, payload: Payload): Response {
  const id = spec.id(payload);
  if (!id) return api.badRequest("webhook payload has no id", { topic });
  // The host attaches the token; without a usable one it throws reauth_required.
  let data: Data;
  try {
    const session = new AdminSession();
    const result = session.query<Data>(spec.document, { id });
    if (result.kind === "auth_failed") {
      // Shopify would retry the delivery to no avail: the next sync after reconnecting catches up.
      log.warn("webhook left to the next sync: Shopify rejected the token", { topic, id, status: result.status });
      return api.json({ ok: true, topic, ingested: 0, deferred: "token_rejected" });
    }
    if (result.kind !== "data") return shopifyFailureResponse(result, spec.stream);
    const completed: Completed<Data> = spec.complete ? spec.complete(session, result.data) : { ok: true, value: result.data };
    if (!completed.ok) return shopifyFailureResponse(completed.failure, spec.stream);
    data = completed.value;
  } catch (error) {
    if (!isReauthRequired(error)) throw error;
    log.warn("webhook left to the next sync: the connection needs reauthorization", { topic, id, reason: error.reason });
    return api.json({ ok: true, topic, ingested: 0, deferred: "reauth_required" });
  }
  const ingested = mapAndIngest(spec.kind, spec.stream, [data], () => id, spec.records);
  return api.json({ ok: true, topic, ingested: ingested.accepted, rejected: ingested.rejected, ...(ingested.skipped.length ? { skipped: ingested.skipped } : {}) });
}

/** What a deletion topic tombstones: the record's kind and its idempotency key. */
const DELETIONS: Record<string, { stream: string; kind: EntityKind; key: (gid: string) => string; type: "Customer" | "Order" }> = {
  "customers/delete": { stream: "customers", kind: "customer", key: customerKey, type: "Customer" },
  // Refund receipts of a deleted order stay: the payload names only the order.
  "orders/delete": { stream: "orders", kind: "sales_receipt", key: orderKey, type: "Order" },
};

/** The provider deleted the record: a tombstone carrying Shopify's time of the event (checked by checkShopifyDelivery). */
function deleteRecord(topic: string, payload: Payload, triggeredAt: string): Response {
  const spec = DELETIONS[topic]!;
  const gid = shopifyGid(spec.type, payload.id);
  if (!gid) return api.badRequest("webhook payload has no id", { topic });
  const { staged } = Records.delete(spec.kind, [{ idempotencyKey: spec.key(gid), deletedAt: new Date(triggeredAt).toISOString() }], { stream: spec.stream });
  log.info("record deleted at the provider", { topic, id: gid });
  return api.json({ ok: true, topic, deleted: staged });
}

function redactCustomer(payload: Payload): Response {
  const customer = payload.customer as { id?: unknown } | undefined;
  const customerId = shopifyGid("Customer", customer?.id);
  const orderIds = Array.isArray(payload.orders_to_redact) ? payload.orders_to_redact : [];
  // A sales receipt's receipt_id is its order GID, and its refunds link by the same id.
  const receiptIds = orderIds.map((o) => shopifyGid("Order", o)).filter((g): g is string => !!g);
  let redacted = 0;
  if (customerId) redacted += Records.redact({ customerId }).redacted;
  // Guest orders carry no customer id; the payload names them. Their refunds go with them.
  if (receiptIds.length) redacted += Records.redact({ receiptIds }).redacted;
  log.info("customer data redacted", { topic: "customers/redact", redacted });
  return api.json({ ok: true, topic: "customers/redact", redacted });
}

/**
 * Topics only Shopify itself sends, always signed with the app's client secret: a store's
 * own webhook key (which its staff can read) must not be able to revoke or redact.
 */
const APP_ONLY_TOPICS = new Set(["app/uninstalled", "customers/data_request", "customers/redact", "shop/redact"]);

/** The keys `topic` may be signed with: the app's client secret, and for store topics the store's key. */
function signingKeys(topic: string): (string | undefined)[] {
  const appSecret = Secrets.get("app_webhook_secret");
  return APP_ONLY_TOPICS.has(topic) ? [appSecret] : [appSecret, Secrets.get("webhook_secret")];
}

export const POST = api((request: RouteRequest) => {
  const topic = request.headers["x-shopify-topic"] ?? "";
  const check = verifyShopifyWebhook(request.rawBodyBytes, request.headers["x-shopify-hmac-sha256"], signingKeys(topic));
  if (!check.ok) {
    log.warn("webhook signature rejected", { topic, reason: check.reason });
    return api.unauthorized("Shopify webhook signature is missing or invalid", { reason: check.reason });
  }
  const delivery = checkShopifyDelivery(request, Settings.get<string>("shop_domain"), Date.now());
  if (isRefusal(delivery)) {
    log.warn("webhook refused", { topic, code: delivery.code });
    return api.error(delivery.message, { status: 400, code: delivery.code });
  }
  // Only now, after the signature: an unsigned request must never burn a genuine delivery's id.
  if (Webhooks.alreadyProcessed(delivery.deliveryIds)) {
    log.info("webhook already processed", { topic });
    return api.json({ ok: true, topic, duplicate: true });
  }
  // Committed only if this invocation answers 2xx, with its records, redactions and revocation.
  Webhooks.markProcessed(delivery.deliveryIds);
  const payload = (request.body && typeof request.body === "object" ? request.body : {}) as Payload;

  if (DELETIONS[topic]) return deleteRecord(topic, payload, request.headers["x-shopify-triggered-at"]!);
  const refetch = REFETCH[topic];
  if (refetch) return refetchAndIngest(topic, refetch, payload);

  switch (topic) {
    case "app/uninstalled":
      Connection.markRevoked("Shopify app/uninstalled: the merchant uninstalled the app");
      log.info("connection revoked", { topic });
      return api.json({ ok: true, topic });
    case "customers/data_request": {
      // Nothing of the customer goes into the log: only that a request came, and its id.
      const request = payload.data_request as { id?: unknown } | undefined;
      log.info("customer data request received", { topic, dataRequestId: typeof request?.id === "number" ? request.id : undefined });
      return api.json({ ok: true, topic });
    }
    case "customers/redact":
      return redactCustomer(payload);
    case "shop/redact": {
      const { redacted } = Records.redact({ all: true });
      log.info("shop data redacted", { topic, redacted });
      return api.json({ ok: true, topic, redacted });
    }
    default:
      log.info("webhook topic ignored", { topic });
      return api.json({ ok: true, topic, ignored: true });
  }
});
