// Opens the host database: by default one SQLite file in the data dir (WAL, busy timeout,
// foreign keys, secure delete), migrated on open; with a database URL a PostgreSQL database
// shared by many hosts, which is migrated only when asked (`backfill db migrate`), since one
// host upgrading a database other, older hosts still use would break them.
import { join, resolve } from "node:path";
import BetterSqlite3 from "better-sqlite3";
import { CompiledQuery, Kysely, Migrator, SqliteDialect, SqliteDriver, type DatabaseConnection, type Driver } from "kysely";
import { migrationProvider } from "./migrations.js";
import { statementCachingDatabase } from "./statement-cache.js";
import type { Database } from "./schema.js";
import type { DatabaseDialect } from "./dialect.js";
import { readSchemaStatus, refuseSchemaAhead, refuseSchemaBehind } from "./schema-version.js";
import { openPostgres, redactedDatabaseUrl } from "./postgres.js";
import { BackfillError, isBackfillError } from "@backfill-io/sdk";
import { DATABASE_URL_INVALID, MIGRATION_FAILED } from "./errors.js";
import { DATABASE_CORRUPT, DATABASE_LOCKED, createPrivateFile, ensureDataDir, tightenFileMode } from "./data-dir.js";

export const DB_FILE_NAME = "backfill.db";
/** What SQLite keeps beside the database file in WAL mode. */
export const DB_SIDE_FILE_SUFFIXES = ["-wal", "-shm"] as const;

export const DATABASE_URL_ENV = "BACKFILL_DATABASE_URL";
/**
 * The PostgreSQL URL to use: `databaseUrl` (the --database-url flag), else
 * BACKFILL_DATABASE_URL; undefined means SQLite in the data dir. Anything but a
 * postgres:// or postgresql:// URL is refused.
 */
export function resolveDatabaseUrl(opts: { databaseUrl?: string | undefined; env?: NodeJS.ProcessEnv } = {}): string | undefined {
  const url = opts.databaseUrl?.trim() || (opts.env ?? process.env)[DATABASE_URL_ENV]?.trim() || undefined;
  if (url === undefined) return undefined;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new BackfillError(DATABASE_URL_INVALID, "the database URL is not a URL", undefined, {
      fix: "pass postgres://user:password@host:5432/database, or unset it to use SQLite in the data dir",
    });
  }
  if (parsed.protocol !== "postgres:" && parsed.protocol !== "postgresql:") {
    throw new BackfillError(DATABASE_URL_INVALID, `the database URL ${redactedDatabaseUrl(url)} is not a PostgreSQL URL`, undefined, {
      fix: "pass postgres://user:password@host:5432/database, or unset it to use SQLite in the data dir",
    });
  }
  return url;
}

/** `BACKFILL_DATA_DIR`, else `./.backfill` under the working directory. */
export function resolveDataDir(dataDir?: string): string {
  return resolve(dataDir ?? process.env.BACKFILL_DATA_DIR ?? join(process.cwd(), ".backfill"));
}

/**
 * SQLite's default BEGIN is deferred: a transaction that reads, then writes, fails with
 * SQLITE_BUSY_SNAPSHOT when another process committed in between (the busy timeout cannot
 * help). Every host transaction may write, so each takes the write lock at BEGIN and waits
 * its turn on the busy timeout instead.
 */
class ImmediateTransactionsDriver extends SqliteDriver {
  override async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw("begin immediate"));
  }
}

export type OpenedDatabase = {
  db: Kysely<Database>;
  dialect: DatabaseDialect;
  /** The SQLite file path (also `-wal` and `-shm` beside it); null on PostgreSQL. */
  file: string | null;
  /** Where the database is, for messages: the file, or the URL without its password. */
  location: string;
  dataDir: string;
  /** SQLite only: the same connection, for the vault's synchronous keyring reads and the record writer. */
  sqlite: BetterSqlite3.Database | undefined;
  /** Migrations applied by this open (empty when the schema was current). */
  migrated: string[];
  close(): Promise<void>;
};

export type OpenDatabaseOptions = {
  dataDir?: string;
  /** A postgres:// URL; default BACKFILL_DATABASE_URL; unset: SQLite in the data dir. */
  databaseUrl?: string;
  busyTimeoutMs?: number;
  /**
   * Apply pending migrations. SQLite (one host's own file) always does. On PostgreSQL the
   * default is false: a database behind this host is refused with database_schema_behind.
   */
  migrate?: boolean;
  /** PostgreSQL pool size (default 10). */
  poolSize?: number;
};

class HostSqliteDialect extends SqliteDialect {
  constructor(private readonly database: BetterSqlite3.Database) {
    super({ database });
  }
  override createDriver(): Driver {
    return new ImmediateTransactionsDriver({ database: statementCachingDatabase(this.database) });
  }
}

/** SQLite's corrupt and locked errors as BackfillErrors naming the file; others unchanged. */
function databaseOpenError(error: unknown, file: string): unknown {
  const code = (error as { code?: unknown }).code;
  if (code === "SQLITE_NOTADB" || code === "SQLITE_CORRUPT") {
    return new BackfillError(DATABASE_CORRUPT, `${file} is not a readable SQLite database (corrupted or not a database)`, undefined, {
      fix: `restore ${file} from a backup, or move it away to start an empty database`,
      cause: error,
    });
  }
  if (code === "SQLITE_BUSY" || code === "SQLITE_LOCKED") {
    return new BackfillError(DATABASE_LOCKED, `${file} is locked by another process`, undefined, {
      fix: "wait for the other process using it to finish, or stop the process holding it",
      cause: error,
    });
  }
  return error;
}

function openSqlite(file: string, busyTimeoutMs: number): BetterSqlite3.Database {
  // Created 0600 before SQLite opens it; SQLite gives -wal and -shm the database file's mode.
  createPrivateFile(file);
  for (const suffix of DB_SIDE_FILE_SUFFIXES) tightenFileMode(file + suffix);
  const sqlite = new BetterSqlite3(file);
  try {
    // The busy timeout first: switching to WAL already needs the lock.
    sqlite.pragma(`busy_timeout = ${busyTimeoutMs}`);
    sqlite.pragma("journal_mode = WAL");
    sqlite.pragma("foreign_keys = ON");
    sqlite.pragma("synchronous = NORMAL");
    // Deleted and overwritten content is zeroed, so old ciphertext does not linger in free pages.
    sqlite.pragma("secure_delete = ON");
    return sqlite;
  } catch (error) {
    sqlite.close();
    throw databaseOpenError(error, file);
  }
}

/** Applies pending migrations, after refusing a schema a newer host wrote. Returns what ran. */
async function migrate(db: Kysely<Database>, location: string, mayApply: boolean): Promise<string[]> {
  const status = await readSchemaStatus(db as unknown as Kysely<unknown>);
  refuseSchemaAhead(status, location);
  if (!status.pending.length) return [];
  if (!mayApply) refuseSchemaBehind(status, location);
  const migrator = new Migrator({ db, provider: migrationProvider });
  const { error, results } = await migrator.migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === "Error")?.migrationName ?? "unknown";
    throw new BackfillError(MIGRATION_FAILED, `database migration ${failed} failed in ${location}: ${(error as Error).message}`, { migration: failed }, { cause: error });
  }
  return (results ?? []).filter((r) => r.status === "Success").map((r) => r.migrationName);
}

async function openSqliteDatabase(dataDir: string, busyTimeoutMs: number): Promise<OpenedDatabase> {
  const file = join(dataDir, DB_FILE_NAME);
  const sqlite = openSqlite(file, busyTimeoutMs);
  const db = new Kysely<Database>({ dialect: new HostSqliteDialect(sqlite) });
  let migrated: string[];
  try {
    migrated = await migrate(db, file, true);
  } catch (error) {
    await db.destroy();
    // SQLite's own errors (locked, corrupt) say more than "migration failed".
    const sqliteError = isBackfillError(error, [MIGRATION_FAILED]) ? error.cause : error;
    const mapped = databaseOpenError(sqliteError, file);
    throw mapped !== sqliteError ? mapped : error;
  }
  return { db, dialect: "sqlite", file, location: file, dataDir, sqlite, migrated, close: () => db.destroy() };
}

export async function openDatabase(opts: OpenDatabaseOptions = {}): Promise<OpenedDatabase> {
  const dataDir = resolveDataDir(opts.dataDir);
  const url = resolveDatabaseUrl({ databaseUrl: opts.databaseUrl });
  if (url === undefined) {
    ensureDataDir(dataDir);
    return openSqliteDatabase(dataDir, opts.busyTimeoutMs ?? 5000);
  }
  const location = redactedDatabaseUrl(url);
  const db = await openPostgres(url, { poolSize: opts.poolSize ?? 10 });
  try {
    const migrated = await migrate(db, location, opts.migrate ?? false);
    return { db, dialect: "postgres", file: null, location, dataDir, sqlite: undefined, migrated, close: () => db.destroy() };
  } catch (error) {
    await db.destroy();
    throw error;
  }
}
