// The few places SQLite and PostgreSQL differ, in one helper: which dialect a Kysely
// instance speaks, the column types migrations use (epoch milliseconds do not fit
// Postgres's 32-bit integer), and the two SQL expressions an old migration's backfill needs.
import { PostgresAdapter, sql, type ColumnDataType, type CreateTableBuilder, type Kysely, type RawBuilder } from "kysely";

export const DATABASE_DIALECTS = ["sqlite", "postgres"] as const;
export type DatabaseDialect = (typeof DATABASE_DIALECTS)[number];

/** The dialect of `db` (a Kysely instance or a transaction), from its adapter. */
export function dialectOf(db: Pick<Kysely<unknown>, "getExecutor">): DatabaseDialect {
  return db.getExecutor().adapter instanceof PostgresAdapter ? "postgres" : "sqlite";
}

export type MigrationDialect = {
  dialect: DatabaseDialect;
  /** Epoch milliseconds, counters that grow without bound (change_seq), row ids. */
  int64: ColumnDataType;
  /** Adds an auto-incrementing integer primary key `id`. */
  addAutoId<T extends string>(table: CreateTableBuilder<T>): CreateTableBuilder<T>;
  /** The text value of a top-level field of a JSON text column, or NULL. */
  jsonTextField(column: string, field: string): RawBuilder<string | null>;
  /** An ISO 8601 text expression (with offset) as epoch milliseconds. */
  isoToEpochMs(expression: RawBuilder<string | null>): RawBuilder<number | null>;
};

/** What a migration needs to write itself once for both dialects. */
export function migrationDialect(db: Kysely<unknown>): MigrationDialect {
  if (dialectOf(db) === "postgres") {
    return {
      dialect: "postgres",
      int64: "bigint",
      addAutoId: (table) => table.addColumn("id", "bigint", (c) => c.primaryKey().generatedByDefaultAsIdentity()),
      jsonTextField: (column, field) => sql<string | null>`(${sql.ref(column)}::jsonb ->> ${sql.lit(field)})`,
      isoToEpochMs: (expression) => sql<number | null>`cast(round(extract(epoch from cast(${expression} as timestamptz)) * 1000) as bigint)`,
    };
  }
  return {
    dialect: "sqlite",
    int64: "integer",
    addAutoId: (table) => table.addColumn("id", "integer", (c) => c.primaryKey().autoIncrement()),
    jsonTextField: (column, field) => sql<string | null>`json_extract(${sql.ref(column)}, ${sql.lit(`$.${field}`)})`,
    // julianday() reads ISO 8601 with an offset; epoch ms = (julianday - 2440587.5) days.
    isoToEpochMs: (expression) => sql<number | null>`cast(round((julianday(${expression}) - 2440587.5) * 86400000) as integer)`,
  };
}

/** The advisory-lock key of record changes ("bfrc" as a number); any constant all hosts share. */
const RECORD_CHANGES_LOCK_KEY = 0x62667263;

/**
 * Serializes writers of records for the rest of the transaction, so each takes the next
 * change sequence numbers after every committed one (the changes feed never skips a change
 * that commits late). SQLite's write transactions begin immediate and are serial already.
 */
export async function lockRecordChanges(tx: Pick<Kysely<unknown>, "getExecutor">): Promise<void> {
  if (dialectOf(tx) !== "postgres") return;
  await sql`select pg_advisory_xact_lock(${RECORD_CHANGES_LOCK_KEY})`.execute(tx);
}
