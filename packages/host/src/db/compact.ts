// After a key rotation: rebuild the database file (VACUUM) and fold the WAL back into it,
// truncated, so no page or WAL frame still holds an old wrapped key or old ciphertext.
import { sql, type Kysely } from "kysely";
import type { Database } from "./schema.js";

export type ScrubResult = {
  /** False when another connection was reading and the WAL could not be emptied yet (SQLite does so at its next checkpoint). */
  walTruncated: boolean;
};

export async function scrubFreedPages(db: Kysely<Database>): Promise<ScrubResult> {
  await sql`vacuum`.execute(db);
  const checkpoint = await sql<{ busy: number }>`pragma wal_checkpoint(TRUNCATE)`.execute(db);
  return { walTruncated: checkpoint.rows[0]?.busy === 0 };
}
