// The PostgreSQL side of the store: a `pg` pool behind Kysely. Epoch milliseconds, row ids
// and counts are BIGINT there, which `pg` returns as strings; they are all far below 2^53,
// so this pool parses them as numbers, as SQLite returns them.
import pg from "pg";
import { Kysely, PostgresDialect, sql } from "kysely";
import { BackfillError, registerSecret } from "@backfill-io/sdk";
import type { Database } from "./schema.js";
import { DATABASE_UNREACHABLE } from "./errors.js";

const INT8_OID = 20;

// (pg-types declares its parsers as returning `any`; they return what the column holds.)
const hostTypes: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: "text" | "binary") =>
    oid === INT8_OID && format !== "binary"
      ? (value: string) => Number(value)
      : (pg.types.getTypeParser(oid, format ?? "text") as (value: string) => unknown)) as pg.CustomTypesConfig["getTypeParser"],
};

/** The URL without its password, for messages and logs. */
export function redactedDatabaseUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = "***";
    return parsed.toString();
  } catch {
    return "(unparseable database URL)";
  }
}

function passwordOf(url: string): string | undefined {
  try {
    return decodeURIComponent(new URL(url).password) || undefined;
  } catch {
    return undefined;
  }
}

export async function openPostgres(url: string, opts: { poolSize: number }): Promise<Kysely<Database>> {
  // The password is a secret: the redactor keeps it out of every log line and error.
  const password = passwordOf(url);
  if (password) registerSecret(password);
  const pool = new pg.Pool({ connectionString: url, max: opts.poolSize, types: hostTypes });
  // An idle client losing its server (a restart) is reported here; the pool replaces it.
  pool.on("error", () => undefined);
  // So is a client's that the pool is not watching (checked out, or being ended on close): the
  // server's "terminating connection" would otherwise be an unhandled 'error' event, and end the process.
  pool.on("connect", (client) => client.on("error", () => undefined));
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  try {
    await sql`select 1`.execute(db);
  } catch (error) {
    await db.destroy();
    throw new BackfillError(DATABASE_UNREACHABLE, `cannot reach the PostgreSQL database ${redactedDatabaseUrl(url)}: ${(error as Error).message}`, undefined, {
      fix: "check --database-url (or BACKFILL_DATABASE_URL): host, port, database name, user and password, and that the server accepts connections from this machine",
      cause: error,
    });
  }
  return db;
}
