// Square webhook events and their signature: x-square-hmacsha256-signature is the base64
// HMAC-SHA256, keyed with the subscription's signature key, of notificationUrl + raw body.

import { createHmac, timingSafeEqual } from "node:crypto";
import type { MerchantData } from "./types.js";

export type SquareWebhookType =
  "payment.updated" | "order.created" | "order.updated" | "refund.created" | "refund.updated" | "customer.updated" | "customer.deleted" | "oauth.authorization.revoked";

export interface SquareWebhookEvent {
  merchant_id: string;
  type: SquareWebhookType;
  event_id: string;
  created_at: string;
  data: { type: string; id: string; object: Record<string, unknown> };
}

export function signSquareWebhook(signatureKey: string, notificationUrl: string, rawBody: string): string {
  return createHmac("sha256", signatureKey)
    .update(notificationUrl + rawBody)
    .digest("base64");
}

export function verifySquareWebhook(signatureKey: string, notificationUrl: string, rawBody: string, signature: string): boolean {
  const expected = Buffer.from(signSquareWebhook(signatureKey, notificationUrl, rawBody));
  const given = Buffer.from(signature);
  return expected.length === given.length && timingSafeEqual(expected, given);
}

/**
 * Builds the event Square sends for a record's current state. `id` is the record id (or, for
 * oauth.authorization.revoked, ignored). Returns undefined when the record does not exist.
 */
export function buildWebhookEvent(data: MerchantData, type: SquareWebhookType, id: string, meta: { eventId: string; createdAt: string }): SquareWebhookEvent | undefined {
  const base = { merchant_id: data.merchant.id, type, event_id: meta.eventId, created_at: meta.createdAt };
  switch (type) {
    case "payment.updated": {
      const payment = data.payments.find((candidate) => candidate.id === id);
      return payment && { ...base, data: { type: "payment", id, object: { payment: structuredClone(payment) } } };
    }
    case "refund.created":
    case "refund.updated": {
      const refund = data.refunds.find((candidate) => candidate.id === id);
      return refund && { ...base, data: { type: "refund", id, object: { refund: structuredClone(refund) } } };
    }
    case "customer.updated": {
      const customer = data.customers.find((candidate) => candidate.id === id);
      return customer && { ...base, data: { type: "customer", id, object: { customer: structuredClone(customer) } } };
    }
    case "customer.deleted": {
      // The deleted profile, and for a merge the profiles merged and the one they became.
      const deleted = data.deletedCustomers.find((candidate) => candidate.customer.id === id);
      if (!deleted) return undefined;
      const merge = deleted.mergedInto ? { event_context: { merge: { from_customer_ids: [id], to_customer_id: deleted.mergedInto } } } : {};
      return { ...base, data: { type: "customer", id, object: { customer: structuredClone(deleted.customer), ...merge } } };
    }
    case "order.created": {
      const order = data.orders.find((candidate) => candidate.id === id);
      return (
        order && {
          ...base,
          data: {
            type: "order_created",
            id,
            object: { order_created: { order_id: order.id, version: order.version, location_id: order.location_id, state: order.state, created_at: order.created_at } },
          },
        }
      );
    }
    case "order.updated": {
      // Square sends an order summary, not the order: receivers fetch the order itself.
      const order = data.orders.find((candidate) => candidate.id === id);
      return (
        order && {
          ...base,
          data: {
            type: "order_updated",
            id,
            object: {
              order_updated: {
                order_id: order.id,
                version: order.version,
                location_id: order.location_id,
                state: order.state,
                created_at: order.created_at,
                updated_at: order.updated_at,
              },
            },
          },
        }
      );
    }
    case "oauth.authorization.revoked":
      return {
        ...base,
        data: { type: "revocation", id: meta.eventId, object: { revocation: { revoked_at: meta.createdAt, revoker_type: "MERCHANT" } } },
      };
  }
}

export interface WebhookDelivery {
  status: number;
  body: string;
  signature: string;
}

/** POSTs `event` to `url`, signed as Square signs it for a subscription at `notificationUrl`. */
export async function deliverWebhook(url: string, notificationUrl: string, signatureKey: string, event: SquareWebhookEvent): Promise<WebhookDelivery> {
  const rawBody = JSON.stringify(event);
  const signature = signSquareWebhook(signatureKey, notificationUrl, rawBody);
  const response = await fetch(url, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      "x-square-hmacsha256-signature": signature,
      "square-environment": "Sandbox",
      "square-initial-delivery-timestamp": event.created_at,
      "square-retry-number": "0",
    },
    body: rawBody,
  });
  return { status: response.status, body: await response.text(), signature };
}
