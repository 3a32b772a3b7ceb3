// A database whose schema is not this host's: behind (PostgreSQL is migrated only when asked,
// SQLite on open) or ahead (a newer host migrated it: refused on both, nothing written).
import { describe, expect, it } from "vitest";
import { sql } from "kysely";
import { openDatabase } from "../src/store/open.js";
import { MIGRATIONS } from "../src/store/migrations.js";
import { DATABASE_SCHEMA_AHEAD, DATABASE_SCHEMA_BEHIND, DATABASE_URL_INVALID } from "../src/store/errors.js";
import { DB_FILE_NAME, resolveDatabaseUrl } from "../src/store/open.js";
import { join } from "node:path";
import pg from "pg";
import Database from "better-sqlite3";
import { POSTGRES_TARGET, STORE_TARGETS, stopPostgresAfterAll, type DatabaseTarget } from "./store-targets.js";

stopPostgresAfterAll();

const open = (target: DatabaseTarget, migrate?: boolean) =>
  openDatabase({ dataDir: target.dataDir, ...(target.databaseUrl ? { databaseUrl: target.databaseUrl } : {}), ...(migrate === undefined ? {} : { migrate }) });

/** The tables of the database and their row counts, read with the bare driver (no host checks): what "nothing written" compares. */
async function rawCounts(target: DatabaseTarget): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  if (target.databaseUrl) {
    const client = new pg.Client({ connectionString: target.databaseUrl });
    await client.connect();
    try {
      const tables = await client.query<{ table_name: string }>("select table_name from information_schema.tables where table_schema = 'public'");
      for (const { table_name } of tables.rows) counts[table_name] = Number((await client.query<{ n: string }>(`select count(*) as n from "${table_name}"`)).rows[0]!.n);
    } finally {
      await client.end();
    }
    return counts;
  }
  const sqlite = new Database(join(target.dataDir, DB_FILE_NAME), { readonly: true });
  try {
    for (const { name } of sqlite.prepare<[], { name: string }>("select name from sqlite_master where type = 'table'").all())
      counts[name] = sqlite.prepare<[], { n: number }>(`select count(*) as n from "${name}"`).get()!.n;
  } finally {
    sqlite.close();
  }
  return counts;
}

describe("PostgreSQL schema behind this host", () => {
  it("is refused with database_schema_behind and the fix, creating no table; migrate: true applies every migration", async () => {
    const target = await POSTGRES_TARGET.create();
    await expect(open(target)).rejects.toMatchObject({ code: DATABASE_SCHEMA_BEHIND, fix: expect.stringContaining("migrate the database") });
    expect(await rawCounts(target)).toEqual({});
    const bare = await openDatabase({ dataDir: target.dataDir, databaseUrl: target.databaseUrl!, migrate: true });
    expect(bare.migrated).toEqual(Object.keys(MIGRATIONS).sort());
    // One migration removed again: an old database a new host meets.
    await sql`delete from kysely_migration where name = ${"008_record_changes"}`.execute(bare.db);
    await bare.close();
    await expect(open(target)).rejects.toMatchObject({ code: DATABASE_SCHEMA_BEHIND, message: expect.stringContaining("008_record_changes") });
  });

  it("refuses a malformed or non-PostgreSQL database URL with database_url_invalid, without echoing the password", () => {
    expect(() => resolveDatabaseUrl({ databaseUrl: "mysql://u:hunter2-secret@db/x" })).toThrow(
      expect.objectContaining({ code: DATABASE_URL_INVALID, message: expect.not.stringContaining("hunter2-secret") }),
    );
    expect(() => resolveDatabaseUrl({ databaseUrl: "not a url" })).toThrow(expect.objectContaining({ code: DATABASE_URL_INVALID }));
    expect(resolveDatabaseUrl({ databaseUrl: undefined, env: {} })).toBeUndefined();
    expect(resolveDatabaseUrl({ env: { BACKFILL_DATABASE_URL: "postgres://h/db" } })).toBe("postgres://h/db");
    expect(resolveDatabaseUrl({ databaseUrl: "postgresql://flag/db", env: { BACKFILL_DATABASE_URL: "postgres://env/db" } })).toBe("postgresql://flag/db");
  });
});

describe.each(STORE_TARGETS)("a $name database a newer host migrated", (storeTarget) => {
  it("is refused with database_schema_ahead, also with migrate: true, and nothing is written", async () => {
    const target = await storeTarget.create();
    const db = await open(target, true);
    await sql`insert into kysely_migration (name, timestamp) values (${"999_from_the_future"}, ${new Date().toISOString()})`.execute(db.db);
    await db.close();
    const before = await rawCounts(target);
    await expect(open(target)).rejects.toMatchObject({ code: DATABASE_SCHEMA_AHEAD, message: expect.stringContaining("999_from_the_future"), fix: expect.any(String) });
    await expect(open(target, true)).rejects.toMatchObject({ code: DATABASE_SCHEMA_AHEAD });
    expect(await rawCounts(target)).toEqual(before);
    expect(before.kysely_migration).toBe(Object.keys(MIGRATIONS).length + 1);
  });
});
