// An auth-webhook delivery as JSON: the one shape the API answers (`GET /api/webhooks/deliveries`)
// and the CLI prints (`backfill webhooks deliveries --json`). Times are ISO 8601; nextAttemptAt
// is set while the delivery is pending (it is retried then), null once it is delivered or failed.
import type { AuthWebhookDeliveryRow } from "../store/schema.js";

export type AuthWebhookDeliveryJson = {
  id: number;
  eventId: string;
  type: string;
  connectionId: string | null;
  status: AuthWebhookDeliveryRow["status"];
  attempts: number;
  lastStatusCode: number | null;
  lastError: string | null;
  createdAt: string;
  deliveredAt: string | null;
  nextAttemptAt: string | null;
};

const iso = (epochMs: number): string => new Date(epochMs).toISOString();

export function authWebhookDeliveryJson(row: AuthWebhookDeliveryRow): AuthWebhookDeliveryJson {
  return {
    id: row.id,
    eventId: row.event_id,
    type: row.event_type,
    connectionId: row.connection_id,
    status: row.status,
    attempts: row.attempts,
    lastStatusCode: row.last_status_code,
    lastError: row.last_error,
    createdAt: iso(row.created_at),
    deliveredAt: row.delivered_at === null ? null : iso(row.delivered_at),
    nextAttemptAt: row.status === "pending" ? iso(row.next_attempt_at) : null,
  };
}
