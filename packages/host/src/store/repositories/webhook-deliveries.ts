// Provider webhook delivery ids already processed per connection (deduplication within
// the retention window), claimed in the transaction of the route's writes.
import { WEBHOOK_DELIVERY_RETENTION_MS } from "@backfill-io/sdk";
import type { RepositoryContext } from "./context.js";

export class WebhookDeliveriesRepository {
  constructor(private readonly ctx: RepositoryContext) {}

  /** True when any of `deliveryIds` was processed for the connection within the retention window. */
  async anyProcessed(connectionId: string, deliveryIds: readonly string[]): Promise<boolean> {
    if (!deliveryIds.length) return false;
    const row = await this.ctx.db
      .selectFrom("webhook_deliveries")
      .select("delivery_id")
      .where("connection_id", "=", connectionId)
      .where("delivery_id", "in", deliveryIds)
      .where("processed_at", ">", this.ctx.now() - WEBHOOK_DELIVERY_RETENTION_MS)
      .executeTakeFirst();
    return !!row;
  }

  /**
   * Records `deliveryIds` as processed now; returns how many were new. Ids past the
   * retention window (of every connection) are purged first, so a remembered id is one
   * still inside it.
   */
  async claim(connectionId: string, deliveryIds: readonly string[]): Promise<number> {
    const now = this.ctx.now();
    await this.ctx.db
      .deleteFrom("webhook_deliveries")
      .where("processed_at", "<=", now - WEBHOOK_DELIVERY_RETENTION_MS)
      .execute();
    let claimed = 0;
    for (const deliveryId of new Set(deliveryIds)) {
      const r = await this.ctx.db
        .insertInto("webhook_deliveries")
        .values({ connection_id: connectionId, delivery_id: deliveryId, processed_at: now })
        .onConflict((oc) => oc.columns(["connection_id", "delivery_id"]).doNothing())
        .executeTakeFirst();
      claimed += Number(r.numInsertedOrUpdatedRows ?? 0n);
    }
    return claimed;
  }
}
