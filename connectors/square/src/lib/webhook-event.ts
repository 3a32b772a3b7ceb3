// The event of a verified Square notification: a JSON object with an event_id, which
// deduplicates redeliveries (Square retries a notification, same event_id, for 72 hours).
import type { RouteRequest } from "@backfill-io/sdk";

export const WEBHOOK_BODY_NOT_JSON = "webhook_body_not_json";
export const WEBHOOK_EVENT_ID_MISSING = "webhook_event_id_missing";

export type SquareEvent = {
  merchant_id?: string;
  type?: string;
  event_id?: string;
  created_at?: string;
  data?: { type?: string; id?: string; object?: Record<string, unknown> };
};

export type EventRefusal = { code: string; message: string };

/** The event and its dedupe id, or why the body is refused (call after the signature check). */
export function parseSquareEvent(request: RouteRequest): { event: SquareEvent; deliveryId: string } | EventRefusal {
  const body = request.body;
  if (!body || typeof body !== "object" || Array.isArray(body)) return { code: WEBHOOK_BODY_NOT_JSON, message: "webhook body is not a JSON object" };
  const event = body as SquareEvent;
  if (typeof event.event_id !== "string" || !event.event_id.trim()) return { code: WEBHOOK_EVENT_ID_MISSING, message: "webhook event has no event_id" };
  return { event, deliveryId: `square:event:${event.event_id.trim()}` };
}
