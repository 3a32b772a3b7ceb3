// Claims on the auth-webhook outbox. Several servers (and workers) may read one outbox: a
// deliverer claims due events before it sends them, so no event is sent by two at once.
// A claim is a lease: the event's next attempt moves past the lease, and the attempt's
// outcome sets it properly; a deliverer that died mid-send leaves it due again after the lease.
import { dialectOf } from "../dialect.js";
import type { AuthWebhookDeliveryRow } from "../schema.js";
import type { RepositoryContext } from "./context.js";

export class AuthWebhookOutboxRepository {
  constructor(private readonly ctx: RepositoryContext) {}

  /**
   * Claims up to `limit` due pending events for `leaseMs`, oldest first. PostgreSQL: the rows
   * are picked `FOR UPDATE SKIP LOCKED` (a concurrent claim takes other rows instead of
   * waiting, then re-reading these), and the outer conditions are re-checked on the locked
   * row. SQLite: one UPDATE is atomic (writers are serial).
   */
  async claimDue(limit: number, leaseMs: number): Promise<AuthWebhookDeliveryRow[]> {
    const now = this.ctx.now();
    const db = this.ctx.db;
    let due = db.selectFrom("auth_webhook_deliveries").select("id").where("status", "=", "pending").where("next_attempt_at", "<=", now).orderBy("id").limit(limit);
    if (dialectOf(db) === "postgres") due = due.forUpdate().skipLocked();
    const claimed = await db
      .updateTable("auth_webhook_deliveries")
      .set({ next_attempt_at: now + leaseMs })
      .where("id", "in", due)
      .where("status", "=", "pending")
      .where("next_attempt_at", "<=", now)
      .returningAll()
      .execute();
    return claimed.sort((a, b) => a.id - b.id);
  }
}
