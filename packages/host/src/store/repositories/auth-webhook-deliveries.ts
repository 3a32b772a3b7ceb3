// The auth-event outbox and its delivery log: each event's exact body (kept as text, it is
// what gets signed and POSTed), its attempts and outcome.
import type { AuthWebhookDeliveryRow, AuthWebhookDeliveryStatus } from "../schema.js";
import type { RepositoryContext } from "./context.js";

export type AuthWebhookAttempt = Pick<AuthWebhookDeliveryRow, "status" | "attempts" | "next_attempt_at" | "last_status_code" | "last_error" | "delivered_at">;

export class AuthWebhookDeliveriesRepository {
  constructor(private readonly ctx: RepositoryContext) {}

  async insert(row: Pick<AuthWebhookDeliveryRow, "event_id" | "event_type" | "connection_id" | "payload_json">): Promise<void> {
    const now = this.ctx.now();
    await this.ctx.db
      .insertInto("auth_webhook_deliveries")
      .values({ ...row, status: "pending", attempts: 0, next_attempt_at: now, last_status_code: null, last_error: null, created_at: now, delivered_at: null })
      .execute();
  }

  async recordAttempt(id: number, attempt: AuthWebhookAttempt): Promise<void> {
    await this.ctx.db.updateTable("auth_webhook_deliveries").set(attempt).where("id", "=", id).execute();
  }

  async list(filter: { connectionId?: string; status?: AuthWebhookDeliveryStatus; limit?: number } = {}): Promise<AuthWebhookDeliveryRow[]> {
    let q = this.ctx.db.selectFrom("auth_webhook_deliveries").selectAll();
    if (filter.connectionId) q = q.where("connection_id", "=", filter.connectionId);
    if (filter.status) q = q.where("status", "=", filter.status);
    return q
      .orderBy("id", "desc")
      .limit(filter.limit ?? 100)
      .execute();
  }
}
