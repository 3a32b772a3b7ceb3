// Kysely's SQLite driver prepares every query it runs: a sync page's dozen small statements
// (checkpoint, tokens, lock, run counters, BEGIN/COMMIT) were each compiled by SQLite again,
// every page. The store hands Kysely this view of its connection instead: one prepared
// statement per SQL text, reused (SQLite re-prepares a statement itself after a schema change).
import type BetterSqlite3 from "better-sqlite3";
import type { SqliteDatabase, SqliteStatement } from "kysely";

/** Distinct SQL texts kept; past it the cache starts over (a query with a list of varying length makes a text per length). */
export const MAX_CACHED_STATEMENTS = 512;

export function statementCachingDatabase(database: BetterSqlite3.Database): SqliteDatabase {
  const statements = new Map<string, BetterSqlite3.Statement>();
  return {
    close: () => void database.close(),
    prepare(sql: string): SqliteStatement {
      const cached = statements.get(sql);
      // A statement still being iterated (a streamed query) cannot run again until it ends.
      if (cached && !cached.busy) return cached;
      const statement = database.prepare(sql);
      if (!cached) {
        if (statements.size >= MAX_CACHED_STATEMENTS) statements.clear();
        statements.set(sql, statement);
      }
      return statement;
    },
  };
}
