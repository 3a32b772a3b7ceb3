// A Kysely query built and compiled once per dialect, then run with new values. A sync page
// commits through a handful of small statements (its lock renewal, checkpoint, run
// counters): building and compiling each with Kysely cost more than SQLite running it
// (about 40 µs of a page's main-thread time each). The query is written once, with Kysely, for
// both dialects; only its values change from call to call.
import { CompiledQuery, type Compilable, type QueryResult } from "kysely";
import type { StoreExecutor } from "./repositories/context.js";

/** The values a prepared query takes, by name. */
export type PreparedValues = Record<string, string | number | null>;

/** Stands in for a value while the query is compiled: a string no caller's value starts with. */
const MARKER = "\u0000backfill-prepared:";

type Slot = { name: string } | { constant: unknown };
type Compiled = { sql: string; slots: Slot[] };

/**
 * `build` writes the query with `values` standing in for each named value (each is a marker,
 * replaced in the compiled parameters, never in the SQL text). Kysely keeps every value as a
 * parameter, so the compiled SQL is the same whatever the values are.
 */
export function preparedQuery<V extends PreparedValues, R>(build: (db: StoreExecutor, values: V) => Compilable<R>) {
  // Per dialect (its adapter's class): a transaction shares its database's adapter.
  const compiled = new Map<unknown, Compiled>();
  const compile = (db: StoreExecutor, names: readonly string[]): Compiled => {
    const markers = Object.fromEntries(names.map((name) => [name, `${MARKER}${name}`])) as unknown as V;
    const query = build(db, markers).compile();
    const slots = query.parameters.map((p): Slot => (typeof p === "string" && p.startsWith(MARKER) ? { name: p.slice(MARKER.length) } : { constant: p }));
    return { sql: query.sql, slots };
  };
  return async (db: StoreExecutor, values: V): Promise<QueryResult<R>> => {
    const dialect = db.getExecutor().adapter.constructor;
    let query = compiled.get(dialect);
    if (!query) compiled.set(dialect, (query = compile(db, Object.keys(values))));
    const parameters = query.slots.map((slot) => {
      if ("constant" in slot) return slot.constant;
      if (!Object.hasOwn(values, slot.name)) throw new Error(`prepared query: no value for ${slot.name}`);
      return values[slot.name];
    });
    return db.executeQuery<R>(CompiledQuery.raw(query.sql, parameters));
  };
}
