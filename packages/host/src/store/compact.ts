// After a key rotation: no page of the database should still hold an old wrapped key or old
// ciphertext. SQLite: rebuild the file (VACUUM) and fold the WAL back into it, truncated.
// PostgreSQL: rewrite the tables that hold secrets (VACUUM FULL writes a new file and drops
// the old one); the server's WAL and its backups are the operator's to manage.
import { sql, type Kysely } from "kysely";
import { dialectOf } from "./dialect.js";
import { ENCRYPTED_COLUMNS, type Database } from "./schema.js";

export type ScrubResult = {
  /** False when another connection was reading and the WAL could not be emptied yet (SQLite does so at its next checkpoint). */
  walTruncated: boolean;
};

/** The tables whose rows hold key material or ciphertext. */
const SECRET_TABLES = [...new Set<string>(["vault_keys", ...ENCRYPTED_COLUMNS.map((c) => c.table)])];

export async function scrubFreedPages(db: Kysely<Database>): Promise<ScrubResult> {
  if (dialectOf(db) === "postgres") {
    await sql`vacuum full ${sql.join(SECRET_TABLES.map((t) => sql.table(t)))}`.execute(db);
    return { walTruncated: true };
  }
  await sql`vacuum`.execute(db);
  const checkpoint = await sql<{ busy: number }>`pragma wal_checkpoint(TRUNCATE)`.execute(db);
  return { walTruncated: checkpoint.rows[0]?.busy === 0 };
}
