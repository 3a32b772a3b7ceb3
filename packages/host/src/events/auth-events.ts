// Auth events: the moments a connection's authorization changes (created, reconnected,
// reauth_required with its reason, revoked). Each is written to the delivery outbox in the
// same transaction as the status change it reports, so an event is never lost or invented;
// the auth webhook deliverer POSTs them to the operator's backend.
import { randomUUID } from "node:crypto";
import type { EndUser, Store } from "../store/store.js";

export const AUTH_EVENT_TYPES = ["connection.created", "connection.reconnected", "connection.reauth_required", "connection.revoked"] as const;
export type AuthEventType = (typeof AUTH_EVENT_TYPES)[number];

/** The JSON body of an auth webhook: ids, names, status and reason; never a token or a setting. */
export type AuthEventPayload = {
  id: string;
  type: AuthEventType;
  createdAt: string;
  data: {
    connectionId: string;
    connector: string;
    status: string;
    reason: string | null;
    providerAccount: { id: string; name: string | null } | null;
    endUser: EndUser | null;
    tags: Record<string, string>;
  };
};

/** Writes the event of a status change to the outbox (call it inside the change's transaction). */
export async function emitAuthEvent(store: Store, type: AuthEventType, connectionId: string): Promise<AuthEventPayload | undefined> {
  const row = await store.connections.get(connectionId);
  if (!row) return undefined;
  const payload: AuthEventPayload = {
    id: `evt_${randomUUID().replaceAll("-", "")}`,
    type,
    createdAt: new Date(store.now()).toISOString(),
    data: {
      connectionId: row.id,
      connector: row.connector_key,
      status: row.status,
      reason: row.status_reason,
      providerAccount: row.provider_account_id ? { id: row.provider_account_id, name: row.provider_account_name } : null,
      endUser: row.end_user,
      tags: row.tags,
    },
  };
  await store.authWebhookDeliveries.insert({ event_id: payload.id, event_type: type, connection_id: row.id, payload_json: JSON.stringify(payload) });
  return payload;
}
