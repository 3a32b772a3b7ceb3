// Opens the host database: one SQLite file (WAL, busy timeout, foreign keys) behind
// Kysely, migrated to the latest version before anything else touches it.
import { chmodSync, mkdirSync } from "node:fs";
import { join, resolve } from "node:path";
import BetterSqlite3 from "better-sqlite3";
import { CompiledQuery, Kysely, Migrator, SqliteDialect, SqliteDriver, type DatabaseConnection, type Driver } from "kysely";
import { migrationProvider } from "./migrations.js";
import type { Database } from "./schema.js";

export const DB_FILE_NAME = "backfill.db";

/** `BACKFILL_DATA_DIR`, else `./.backfill` under the working directory. */
export function resolveDataDir(dataDir?: string): string {
  return resolve(dataDir ?? process.env.BACKFILL_DATA_DIR ?? join(process.cwd(), ".backfill"));
}

export type OpenedDatabase = {
  db: Kysely<Database>;
  /** The file path (also `-wal` and `-shm` beside it). */
  file: string;
  dataDir: string;
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

export async function openDatabase(opts: { dataDir?: string; busyTimeoutMs?: number } = {}): Promise<OpenedDatabase> {
  const dataDir = resolveDataDir(opts.dataDir);
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const file = join(dataDir, DB_FILE_NAME);
  const sqlite = new BetterSqlite3(file);
  // Only ciphertext is secret in it, but settings and records are still nobody else's business.
  chmodSync(file, 0o600);
  sqlite.pragma("journal_mode = WAL");
  sqlite.pragma(`busy_timeout = ${opts.busyTimeoutMs ?? 5000}`);
  sqlite.pragma("foreign_keys = ON");
  sqlite.pragma("synchronous = NORMAL");
  const db = new Kysely<Database>({ dialect: new HostSqliteDialect(sqlite) });

  const migrator = new Migrator({ db, provider: migrationProvider });
  const { error, results } = await migrator.migrateToLatest();
  if (error) {
    await db.destroy();
    const failed = results?.find((r) => r.status === "Error")?.migrationName ?? "unknown";
    throw new MigrationFailedError(`database migration ${failed} failed in ${file}: ${(error as Error).message}`, { cause: error });
  }
  return { db, file, dataDir, close: () => db.destroy() };
}
