// The two stores every store-level suite runs on: SQLite in a fresh data dir, and PostgreSQL
// in a fresh database on the shared test server (@backfill-io/test-postgres: an embedded
// PostgreSQL 18 it starts itself, or BACKFILL_TEST_DATABASE_URL). `describe.each(STORE_TARGETS)`.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach } from "vitest";
import { sql } from "kysely";
import { sharedTestPostgres } from "@backfill-io/test-postgres";
import { openDatabase, type OpenedDatabase } from "../src/store/open.js";
import { Store } from "../src/store/store.js";

/** Where one test database lives: a data dir (SQLite, and master.key either way) and, for PostgreSQL, its URL. */
export type DatabaseTarget = { dataDir: string; databaseUrl?: string };

export type StoreTarget = {
  name: "sqlite" | "postgres";
  /** A new, empty database. */
  create(): Promise<DatabaseTarget>;
};

const newDataDir = () => mkdtempSync(join(tmpdir(), "backfill-store-"));

export const SQLITE_TARGET: StoreTarget = { name: "sqlite", create: async () => ({ dataDir: newDataDir() }) };
export const POSTGRES_TARGET: StoreTarget = {
  name: "postgres",
  create: async () => ({ dataDir: newDataDir(), databaseUrl: await (await sharedTestPostgres()).createDatabase("store") }),
};
export const STORE_TARGETS = [SQLITE_TARGET, POSTGRES_TARGET];

/**
 * Opens stores on targets and closes them after each test. Opening a target again is
 * another connection to the same database (another process, as far as locks can tell).
 */
export function storeOpener() {
  const opened: OpenedDatabase[] = [];
  afterEach(async () => {
    while (opened.length) await opened.pop()!.close();
  });
  return async function openStore(target: DatabaseTarget, clock?: () => number) {
    const db = await openDatabase({ dataDir: target.dataDir, ...(target.databaseUrl ? { databaseUrl: target.databaseUrl, migrate: true } : {}) });
    opened.push(db);
    return { db, store: new Store(db.db, clock, db.sqlite) };
  };
}

/** Stops the embedded server with the file's last test (it would stop at exit anyway). */
export function stopPostgresAfterAll(): void {
  afterAll(async () => {
    if (process.env.BACKFILL_TEST_DATABASE_URL) return;
    await (await sharedTestPostgres()).stop();
  });
}

/** Every text value of every table: what a canary scan of a PostgreSQL database reads. */
export async function databaseText(store: Store): Promise<string> {
  const tables = await store.db.introspection.getTables();
  const texts: string[] = [];
  for (const table of tables) {
    const columns = table.columns.filter((c) => ["text", "varchar", "character varying", "json", "jsonb"].includes(c.dataType.toLowerCase())).map((c) => c.name);
    if (!columns.length) continue;
    const rows = await sql<Record<string, string | null>>`select ${sql.join(columns.map((c) => sql.ref(c)))} from ${sql.table(table.name)}`.execute(store.db);
    for (const row of rows.rows) texts.push(...Object.values(row).filter((v): v is string => typeof v === "string"));
  }
  return texts.join("\n");
}
