// A PostgreSQL server that ends the store's connections (a restart, a failover, an
// administrator's pg_terminate_backend) fails what was running on them; it never ends the
// host's process with an unhandled 'error' event, whether the connection was idle in the pool
// or checked out (a transaction in progress, or a pool closing). The store answers again after.
import { afterAll, beforeAll, expect, it } from "vitest";
import { sql } from "kysely";
import pg from "pg";
import { POSTGRES_TARGET, stopPostgresAfterAll, storeOpener, type DatabaseTarget } from "./store-targets.js";

stopPostgresAfterAll();
const openStore = storeOpener();
let target: DatabaseTarget;
let admin: pg.Client;

beforeAll(async () => {
  target = await POSTGRES_TARGET.create();
  admin = new pg.Client({ connectionString: target.databaseUrl });
  await admin.connect();
});
afterAll(() => admin.end());

/** Ends every other connection to the test database, as a server shutting down does (FATAL 57P01). */
async function terminateOthers(): Promise<number> {
  const { rows } = await admin.query<{ ended: boolean }>(
    "select pg_terminate_backend(pid) as ended from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid()",
  );
  // The FATAL message reaches the store's clients on their sockets, between two of their queries.
  await new Promise((resolve) => setTimeout(resolve, 200));
  return rows.filter((r) => r.ended).length;
}

it("fails the transaction whose connection was ended, and answers again after", async () => {
  const { store } = await openStore(target);
  const transaction = store.transaction(async (tx) => {
    await sql`select 1`.execute(tx.db);
    expect(await terminateOthers()).toBeGreaterThan(0);
    await sql`select 1`.execute(tx.db);
  });
  await expect(transaction).rejects.toThrow();
  expect(await store.answers()).toBe(true);
});

it("replaces an idle connection that was ended", async () => {
  const { store } = await openStore(target);
  expect(await store.answers()).toBe(true);
  expect(await terminateOthers()).toBeGreaterThan(0);
  expect(await store.answers()).toBe(true);
});
