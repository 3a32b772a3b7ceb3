// Verified webhook deliveries waiting for a queue worker. The server inserts one after the
// route verified the signature and found the delivery new; the worker reads it, runs the
// route, and deletes it once the route's writes are committed.
import type { WebhookJobRow } from "../schema.js";
import type { RepositoryContext } from "./context.js";

export type NewWebhookJob = Pick<WebhookJobRow, "id" | "connection_id" | "route" | "method" | "request_enc">;

export class WebhookJobsRepository {
  constructor(private readonly ctx: RepositoryContext) {}

  /** Stores the delivery; a copy of one already waiting (same id) changes nothing. */
  async insert(job: NewWebhookJob): Promise<void> {
    await this.ctx.db
      .insertInto("webhook_jobs")
      .values({ ...job, received_at: this.ctx.now() })
      .onConflict((oc) => oc.column("id").doNothing())
      .execute();
  }

  async get(id: string): Promise<WebhookJobRow | undefined> {
    return this.ctx.db.selectFrom("webhook_jobs").selectAll().where("id", "=", id).executeTakeFirst();
  }

  async delete(id: string): Promise<void> {
    await this.ctx.db.deleteFrom("webhook_jobs").where("id", "=", id).execute();
  }

  async count(connectionId?: string): Promise<number> {
    let q = this.ctx.db.selectFrom("webhook_jobs").select((eb) => eb.fn.countAll<number>().as("n"));
    if (connectionId) q = q.where("connection_id", "=", connectionId);
    return Number((await q.executeTakeFirstOrThrow()).n);
  }
}
