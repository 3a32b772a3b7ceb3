// Opens the host database: one SQLite file (WAL, busy timeout, foreign keys, secure
// delete) behind Kysely, migrated to the latest version before anything else touches it.
import { join, resolve } from "node:path";
import BetterSqlite3 from "better-sqlite3";
import { CompiledQuery, Kysely, Migrator, SqliteDialect, SqliteDriver, type DatabaseConnection, type Driver } from "kysely";
import { migrationProvider } from "./migrations.js";
import type { Database } from "./schema.js";
import { DATABASE_CORRUPT, DATABASE_LOCKED, DataDirError, createPrivateFile, ensureDataDir, tightenFileMode } from "./data-dir.js";

export const DB_FILE_NAME = "backfill.db";
/** What SQLite keeps beside the database file in WAL mode. */
export const DB_SIDE_FILE_SUFFIXES = ["-wal", "-shm"] as const;

/** `BACKFILL_DATA_DIR`, else `./.backfill` under the working directory. */
export function resolveDataDir(dataDir?: string): string {
  return resolve(dataDir ?? process.env.BACKFILL_DATA_DIR ?? join(process.cwd(), ".backfill"));
}

export type OpenedDatabase = {
  db: Kysely<Database>;
  /** The file path (also `-wal` and `-shm` beside it). */
  file: string;
  dataDir: string;
  /** The same connection, for the few synchronous reads the vault makes (its keyring generation). */
  sqlite: BetterSqlite3.Database;
  close(): Promise<void>;
};

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

class HostSqliteDialect extends SqliteDialect {
  constructor(private readonly database: BetterSqlite3.Database) {
    super({ database });
  }
  override createDriver(): Driver {
    return new ImmediateTransactionsDriver({ database: this.database });
  }
}

export class MigrationFailedError extends Error {
  readonly code = "migration_failed" as const;
}

/** SQLite's corrupt and locked errors as DataDirErrors naming the file; others unchanged. */
function databaseOpenError(error: unknown, file: string): unknown {
  const code = (error as { code?: unknown }).code;
  if (code === "SQLITE_NOTADB" || code === "SQLITE_CORRUPT") {
    return new DataDirError(DATABASE_CORRUPT, `${file} is not a readable SQLite database (corrupted or not a database)`, `restore ${file} from a backup, or move it away to start an empty database`, { cause: error });
  }
  if (code === "SQLITE_BUSY" || code === "SQLITE_LOCKED") {
    return new DataDirError(DATABASE_LOCKED, `${file} is locked by another process`, "wait for the other backfill command to finish, or stop the process holding it", { cause: error });
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

export async function openDatabase(opts: { dataDir?: string; busyTimeoutMs?: number } = {}): Promise<OpenedDatabase> {
  const dataDir = resolveDataDir(opts.dataDir);
  ensureDataDir(dataDir);
  const file = join(dataDir, DB_FILE_NAME);
  const sqlite = openSqlite(file, opts.busyTimeoutMs ?? 5000);
  const db = new Kysely<Database>({ dialect: new HostSqliteDialect(sqlite) });

  const migrator = new Migrator({ db, provider: migrationProvider });
  const { error, results } = await migrator.migrateToLatest();
  if (error) {
    await db.destroy();
    const failed = results?.find((r) => r.status === "Error")?.migrationName ?? "unknown";
    const mapped = databaseOpenError(error, file);
    if (mapped !== error) throw mapped;
    throw new MigrationFailedError(`database migration ${failed} failed in ${file}: ${(error as Error).message}`, { cause: error });
  }
  return { db, file, dataDir, sqlite, close: () => db.destroy() };
}
