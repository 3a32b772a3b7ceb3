// The SQLite store's statement cache: one prepared statement per SQL text, never one that is
// still being iterated (a streamed query), and a bounded number of texts.
import BetterSqlite3 from "better-sqlite3";
import { expect, it } from "vitest";
import { MAX_CACHED_STATEMENTS, statementCachingDatabase } from "../src/store/statement-cache.js";

it("reuses a statement per SQL text, but not one a streamed query is still iterating", () => {
  const raw = new BetterSqlite3(":memory:");
  raw.exec("create table t (n integer); insert into t values (1), (2), (3)");
  const db = statementCachingDatabase(raw);
  const sql = "select n from t order by n";
  expect(db.prepare(sql)).toBe(db.prepare(sql));
  const streamed = db.prepare(sql).iterate([]);
  const first = streamed.next();
  // The cached statement is busy now: the same text runs on a statement of its own, alongside.
  expect(db.prepare(sql).all([])).toEqual([{ n: 1 }, { n: 2 }, { n: 3 }]);
  expect(first.value).toEqual({ n: 1 });
  expect([...{ [Symbol.iterator]: () => streamed }]).toEqual([{ n: 2 }, { n: 3 }]);
  db.close();
});

it("keeps at most MAX_CACHED_STATEMENTS texts", () => {
  const raw = new BetterSqlite3(":memory:");
  const db = statementCachingDatabase(raw);
  const first = db.prepare("select 0");
  for (let i = 1; i <= MAX_CACHED_STATEMENTS; i++) db.prepare(`select ${i}`);
  expect(db.prepare("select 0")).not.toBe(first);
  db.close();
});
