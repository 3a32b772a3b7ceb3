// Square webhook notifications. Verified first: x-square-hmacsha256-signature must be
// base64(HMAC-SHA256(webhook_signature_key, notificationUrl + rawBody)); a bad or missing
// signature (or no key) → 401 and nothing is read from the body.
// The notification URL is the one registered with Square: the host passes it as
// x-backfill-notification-url (it sets that header itself, never forwarding a caller's),
// else the `webhook_notification_url` setting.
// The signature covers the body's exact bytes; the event must then be a JSON object with
// an event_id: an event already processed (a redelivery) answers 200 and does nothing,
// and one processed is marked so atomically with its writes (Webhooks).
// Then the event's merchant_id must be the connection's provider account: Square delivers
// an app's events for every seller that authorized it, and one seller's data must never
// land in another seller's connection. A mismatch is acknowledged with 200 (warning
// logged, nothing read or ingested): Square retries any non-2xx for up to 72 hours, and
// no retry can make the event belong to this connection.
// Then: customer.created/updated → customer (the event carries the object);
// customer.deleted (also a profile merged away) → the customer's tombstone, as no list or
// search returns a deleted profile again; order.* and payment.* → the order, fetched (order
// events carry only ids and state), unless it is a return order (a refund's, not a sale);
// refund.* → refund_receipt linked to the sale its return order names (unlinked: none);
// oauth.authorization.revoked → the connection is revoked.
import { api, Connection, isReauthRequired, log, Records, Secrets, Settings, Webhooks, type RouteRequest } from "@backfill-io/sdk";
import { mapAndIngest, thrownFailureResponse } from "@backfill-io/oauth-helpers";
import { parseSquareEvent, type SquareEvent } from "../../lib/webhook-event.js";
import { hasSquareSignature, isValidSquareSignature } from "../../lib/webhook-signature.js";
import { squareFailure } from "../../lib/square-failure.js";
import { squareGet } from "../../lib/square-client.js";
import { orderIdOfPayment } from "../../lib/payments.js";
import { customerRecords, orderRecords, refundRecords, squareId } from "../../lib/records.js";
import { customerIdempotencyKey } from "../../mappers/customer.js";
import { isReturnOrder, saleOfReturnOrder } from "../../lib/return-orders.js";
import { isSettledRefund, isUnlinkedRefund } from "../../mappers/refund.js";
import type { SquareCustomer, SquareOrder, SquarePayment, SquarePaymentRefund } from "../../lib/square-types.js";

export const config = { auth: "webhook" };

export type { SquareEvent };

function notificationUrl(request: RouteRequest): string | undefined {
  const fromHost = request.headers["x-backfill-notification-url"];
  if (fromHost) return fromHost;
  const setting = Settings.get<string | undefined>("webhook_notification_url");
  return setting || undefined;
}

function ingestOrder(orderId: string, stream: string) {
  const { order } = squareGet<{ order?: SquareOrder }>(`/v2/orders/${encodeURIComponent(orderId)}`);
  if (!order) return { accepted: 0, rejected: 0, errors: [], skipped: [] };
  if (order.state === "DRAFT") return { accepted: 0, rejected: 0, errors: [], skipped: [{ id: order.id, reason: "DRAFT order" }] };
  // A refund's return order: the refund is the record (refund.* events and the refunds stream).
  if (isReturnOrder(order)) return { accepted: 0, rejected: 0, errors: [], skipped: [], ignored: "return order" };
  return mapAndIngest("sales_receipt", stream, [order], squareId, orderRecords);
}

/** The sale a refund reverses: null when unlinked, undefined when Square names none. */
function saleOfRefund(refund: SquarePaymentRefund): string | null | undefined {
  if (isUnlinkedRefund(refund)) return null;
  if (refund.order_id) {
    const { order } = squareGet<{ order?: SquareOrder }>(`/v2/orders/${encodeURIComponent(refund.order_id)}`);
    return order ? saleOfReturnOrder(order) : undefined;
  }
  return refund.payment_id ? orderIdOfPayment(refund.payment_id) : undefined;
}

type DeletedCustomerObject = { customer?: { id?: string }; event_context?: { merge?: { from_customer_ids?: string[]; to_customer_id?: string } } };

/** customer.deleted: the profile is gone (deleted, or merged into event_context.merge.to_customer_id). */
function deleteCustomer(event: SquareEvent, base: Record<string, unknown>): Response {
  const object = (event.data?.object ?? {}) as DeletedCustomerObject;
  const id = object.customer?.id ?? event.data?.id;
  if (!id) return api.json({ ...base, ignored: "no customer id" });
  const mergedInto = object.event_context?.merge?.to_customer_id;
  const { staged } = Records.delete("customer", [{ idempotencyKey: customerIdempotencyKey({ customer_id: id }), ...(event.created_at ? { deletedAt: event.created_at } : {}) }], {
    stream: "customers",
  });
  log.info("square customer deleted", { customerId: id, ...(mergedInto ? { mergedInto } : {}) });
  return api.json({ ...base, deleted: staged, ...(mergedInto ? { mergedInto } : {}) });
}

/** Why the event is not for this connection's Square seller, or undefined when it is. */
function foreignMerchant(event: SquareEvent): string | undefined {
  const account = Connection.info().providerAccountId;
  if (!account) return "connection has no Square merchant yet";
  if (event.merchant_id !== account) return "event is for another Square merchant";
  return undefined;
}

function handle(event: SquareEvent): Response {
  const type = event.type ?? "";
  const object = event.data?.object ?? {};
  const base = { received: true, type, eventId: event.event_id ?? null };

  if (type === "oauth.authorization.revoked") {
    const revoker = (object.revocation as { revoker_type?: string } | undefined)?.revoker_type ?? "unknown";
    Connection.markRevoked(`Square oauth.authorization.revoked (revoker: ${revoker})`);
    log.warn("square authorization revoked", { revoker, merchantId: event.merchant_id });
    return api.json({ ...base, revoked: true });
  }
  if (type === "customer.created" || type === "customer.updated") {
    const customer = object.customer as SquareCustomer | undefined;
    if (!customer?.id) return api.json({ ...base, ignored: "no customer object" });
    return api.json({ ...base, ...mapAndIngest("customer", "customers", [customer], squareId, customerRecords) });
  }
  if (type === "customer.deleted") return deleteCustomer(event, base);
  if (type === "order.created" || type === "order.updated" || type === "order.fulfillment.updated") {
    const summary = (object.order_created ?? object.order_updated ?? object.order_fulfillment_updated) as { order_id?: string } | undefined;
    const orderId = summary?.order_id ?? event.data?.id;
    if (!orderId) return api.json({ ...base, ignored: "no order id" });
    return api.json({ ...base, ...ingestOrder(orderId, "orders") });
  }
  if (type === "payment.created" || type === "payment.updated") {
    const payment = object.payment as SquarePayment | undefined;
    if (!payment?.order_id) return api.json({ ...base, ignored: "payment has no order" });
    return api.json({ ...base, ...ingestOrder(payment.order_id, "orders") });
  }
  if (type === "refund.created" || type === "refund.updated") {
    const refund = object.refund as SquarePaymentRefund | undefined;
    if (!refund?.id) return api.json({ ...base, ignored: "no refund object" });
    if (!isSettledRefund(refund)) return api.json({ ...base, ignored: `refund ${refund.status ?? "without status"}` });
    const linked = { refund, sale: saleOfRefund(refund) };
    return api.json({ ...base, ...mapAndIngest("refund_receipt", "refunds", [linked], (l) => l.refund.id, refundRecords) });
  }
  return api.json({ ...base, ignored: "event type not handled" });
}

export const POST = api(async (request) => {
  const signatureKey = Secrets.get("webhook_signature_key");
  const url = notificationUrl(request);
  if (!signatureKey || !url) {
    log.error("square webhook cannot be verified", { signatureKey: signatureKey ? "set" : "missing", notificationUrl: url ? "set" : "missing" });
    return api.unauthorized("Square webhook signature cannot be verified (signature key or notification URL not configured)");
  }
  if (!hasSquareSignature(request)) return api.unauthorized("missing x-square-hmacsha256-signature");
  if (!isValidSquareSignature(request, signatureKey, url)) {
    log.warn("square webhook signature mismatch", { notificationUrl: url });
    return api.unauthorized("invalid Square webhook signature");
  }

  const parsed = parseSquareEvent(request);
  if ("code" in parsed) return api.error(parsed.message, { status: 400, code: parsed.code });
  const { event, deliveryId } = parsed;
  const foreign = foreignMerchant(event);
  if (foreign) {
    log.warn("square webhook ignored: not this connection's merchant", { type: event.type ?? "", eventId: event.event_id ?? null, merchantId: event.merchant_id ?? null });
    return api.json({ received: true, type: event.type ?? "", eventId: event.event_id ?? null, ignored: foreign });
  }
  // After the signature (an unsigned request never burns a genuine event id) and the merchant check.
  if (Webhooks.alreadyProcessed(deliveryId)) {
    log.info("square webhook already processed", { type: event.type ?? "", eventId: event.event_id });
    return api.json({ received: true, type: event.type ?? "", eventId: event.event_id, duplicate: true });
  }
  // Committed only when this invocation answers 2xx, with its records and status change.
  Webhooks.markProcessed(deliveryId);
  try {
    return handle(event);
  } catch (error) {
    if (isReauthRequired(error)) {
      // Acknowledge: a retry cannot succeed until the seller reconnects, and the next sync catches up.
      log.warn("square webhook deferred: connection needs reauthorization", { type: event.type, reason: error.reason });
      return api.json({ received: true, type: event.type ?? "", deferred: "reauth_required" }, { status: 202 });
    }
    return thrownFailureResponse(error, squareFailure, { stream: "webhook" });
  }
});
