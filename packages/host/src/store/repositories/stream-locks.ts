// Stream locks: which host syncs a (connection, stream) now, as a database row so the lock
// holds across processes and machines.
import type { RepositoryContext } from "./context.js";
import { preparedQuery } from "../prepared.js";

/**
 * One conditional upsert: a row comes back only when it was inserted or taken over, so two
 * hosts racing (on any machine) cannot both see themselves as the owner. Prepared: every
 * sync page renews its lock with it.
 */
const takeLock = preparedQuery((db, v: { connectionId: string; stream: string; owner: string; expiresAt: number; now: number }) =>
  db
    .insertInto("stream_locks")
    .values({ connection_id: v.connectionId, stream: v.stream, owner: v.owner, expires_at: v.expiresAt })
    .onConflict((oc) =>
      oc
        .columns(["connection_id", "stream"])
        .doUpdateSet({ owner: v.owner, expires_at: v.expiresAt })
        .where((eb) => eb.or([eb("stream_locks.expires_at", "<", v.now), eb("stream_locks.owner", "=", v.owner)])),
    )
    .returning("owner"),
);

export class StreamLocksRepository {
  constructor(private readonly ctx: RepositoryContext) {}

  /**
   * Takes the lock of a stream for `owner` for `ttlMs` when it is free, expired or
   * already `owner`'s (which renews it).
   */
  async tryLock(connectionId: string, stream: string, owner: string, ttlMs: number): Promise<boolean> {
    const now = this.ctx.now();
    const { rows } = await takeLock(this.ctx.db, { connectionId, stream, owner, expiresAt: now + ttlMs, now });
    return rows[0]?.owner === owner;
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
