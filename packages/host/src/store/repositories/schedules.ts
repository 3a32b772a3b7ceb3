// Per-connection overrides of a stream's schedule, set through the API. Absent: the
// manifest's `streams[].schedule`, else the host's default interval.
import type { RepositoryContext } from "./context.js";

export class SchedulesRepository {
  constructor(private readonly ctx: RepositoryContext) {}

  async set(connectionId: string, stream: string, everyMs: number): Promise<void> {
    const now = this.ctx.now();
    await this.ctx.db
      .insertInto("stream_schedules")
      .values({ connection_id: connectionId, stream, every_ms: everyMs, updated_at: now })
      .onConflict((oc) => oc.columns(["connection_id", "stream"]).doUpdateSet({ every_ms: everyMs, updated_at: now }))
      .execute();
  }

  async clear(connectionId: string, stream: string): Promise<void> {
    await this.ctx.db.deleteFrom("stream_schedules").where("connection_id", "=", connectionId).where("stream", "=", stream).execute();
  }

  /** The overrides of one connection, by stream. */
  async ofConnection(connectionId: string): Promise<Map<string, number>> {
    const rows = await this.ctx.db.selectFrom("stream_schedules").select(["stream", "every_ms"]).where("connection_id", "=", connectionId).execute();
    return new Map(rows.map((r) => [r.stream, Number(r.every_ms)]));
  }
}
