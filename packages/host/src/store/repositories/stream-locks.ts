// Stream locks: which host syncs a (connection, stream) now, as a database row so the lock
// holds across processes and machines.
import type { RepositoryContext } from "./context.js";

export class StreamLocksRepository {
  constructor(private readonly ctx: RepositoryContext) {}

  /**
   * Takes the lock of a stream for `owner` for `ttlMs` when it is free, expired or
   * already `owner`'s (which renews it).
   */
  async tryLock(connectionId: string, stream: string, owner: string, ttlMs: number): Promise<boolean> {
    const now = this.ctx.now();
    const expiresAt = now + ttlMs;
    // One conditional upsert: a row comes back only when it was inserted or taken over, so
    // two hosts racing (on any machine) cannot both see themselves as the owner.
    const row = await this.ctx.db
      .insertInto("stream_locks")
      .values({ connection_id: connectionId, stream, owner, expires_at: expiresAt })
      .onConflict((oc) =>
        oc
          .columns(["connection_id", "stream"])
          .doUpdateSet({ owner, expires_at: expiresAt })
          .where((eb) => eb.or([eb("stream_locks.expires_at", "<", now), eb("stream_locks.owner", "=", owner)])),
      )
      .returning("owner")
      .executeTakeFirst();
    return row?.owner === owner;
  }

  /** Who holds the stream's lock (undefined: nobody), expired or not. */
  async owner(connectionId: string, stream: string): Promise<string | undefined> {
    const row = await this.ctx.db.selectFrom("stream_locks").select("owner").where("connection_id", "=", connectionId).where("stream", "=", stream).executeTakeFirst();
    return row?.owner;
  }

  async unlock(connectionId: string, stream: string, owner: string): Promise<boolean> {
    const r = await this.ctx.db.deleteFrom("stream_locks").where("connection_id", "=", connectionId).where("stream", "=", stream).where("owner", "=", owner).executeTakeFirst();
    return Number(r.numDeletedRows) === 1;
  }
}
