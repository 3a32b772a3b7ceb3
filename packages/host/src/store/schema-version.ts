// Where a database's schema stands against this host's migrations, read without writing
// anything (Kysely's Migrator creates its tables as soon as it is asked): behind (migrations
// to apply), current, or ahead (a newer host migrated it: this one must not touch it).
import { sql, type Kysely } from "kysely";
import { MIGRATIONS } from "./migrations.js";
import { BackfillError } from "@backfill-io/sdk";
import { DATABASE_SCHEMA_AHEAD, DATABASE_SCHEMA_BEHIND } from "./errors.js";

export type SchemaStatus = {
  applied: string[];
  /** This host's migrations the database has not run yet, in order. */
  pending: string[];
  /** Migrations the database ran that this host does not know (a newer host's). */
  unknown: string[];
};

export const MIGRATION_TABLE = "kysely_migration";

export async function readSchemaStatus(db: Kysely<unknown>): Promise<SchemaStatus> {
  const tables = await db.introspection.getTables({ withInternalKyselyTables: true });
  const applied = tables.some((t) => t.name === MIGRATION_TABLE && (t.schema === undefined || t.schema === "public" || t.schema === "main"))
    ? (await sql<{ name: string }>`select name from ${sql.table(MIGRATION_TABLE)} order by name`.execute(db)).rows.map((r) => r.name)
    : [];
  const known = Object.keys(MIGRATIONS).sort();
  return {
    applied,
    pending: known.filter((name) => !applied.includes(name)),
    unknown: applied.filter((name) => !(name in MIGRATIONS)),
  };
}

/** Refuses a database a newer host migrated: this host would misread or damage its rows. */
export function refuseSchemaAhead(status: SchemaStatus, location: string): void {
  if (!status.unknown.length) return;
  throw new BackfillError(
    DATABASE_SCHEMA_AHEAD,
    `the database ${location} was migrated by a newer backfill host (migrations ${status.unknown.join(", ")} are unknown to this one); nothing was written`,
    undefined,
    { fix: "run the newer backfill version against this database, or restore a backup taken before it migrated" },
  );
}

/** Refuses a database with migrations still to apply, when this host must not apply them itself. */
export function refuseSchemaBehind(status: SchemaStatus, location: string): void {
  if (!status.pending.length) return;
  throw new BackfillError(
    DATABASE_SCHEMA_BEHIND,
    `the database ${location} is behind this backfill host (${status.pending.length} migration${status.pending.length === 1 ? "" : "s"} to apply: ${status.pending.join(", ")}); nothing was written`,
    undefined,
    { fix: "migrate the database once (from one machine), then start the hosts again" },
  );
}
