// Page commit throughput of the two stores: the same pages (new records, then the same
// records again unchanged, then changed) committed to SQLite in a temp data dir and to
// PostgreSQL (@backfill-io/test-postgres: an embedded server, or BACKFILL_TEST_DATABASE_URL).
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sharedTestPostgres } from "@backfill-io/test-postgres";
import { openDatabase } from "../src/store/open.js";
import { Store } from "../src/store/store.js";

export type StoreBench = { sqlite: number; postgres: number; records: number };

const pageOf = (page: number, perPage: number, version: string) => [
  {
    kind: "customer",
    items: Array.from({ length: perPage }, (_, i) => ({
      idempotencyKey: `c${page}-${i}`,
      payload: { customer_id: `c${page}-${i}`, name: `Customer ${i}`, email: `c${page}-${i}@example.com`, note: version },
    })),
  },
];

/** Records per second over three passes (insert, unchanged, update) of `pages` × `perPage`. */
async function commitThroughput(opts: { dataDir: string; databaseUrl?: string }, pages: number, perPage: number): Promise<number> {
  const opened = await openDatabase({ dataDir: opts.dataDir, ...(opts.databaseUrl ? { databaseUrl: opts.databaseUrl, migrate: true } : {}) });
  try {
    const store = new Store(opened.db, Date.now, opened.sqlite);
    const connection = await store.connections.create({ connectorKey: "bench", connectorVersion: "0.1.0", settings: {}, status: "active" });
    const started = performance.now();
    for (const version of ["v1", "v1", "v2"]) {
      for (let page = 0; page < pages; page++) await store.commitPage(connection.id, "customers", pageOf(page, perPage, version), { page, version });
    }
    return (3 * pages * perPage) / ((performance.now() - started) / 1000);
  } finally {
    await opened.close();
  }
}

export async function storeBench(pages = 50, perPage = 100): Promise<StoreBench> {
  const dataDir = mkdtempSync(join(tmpdir(), "backfill-bench-store-"));
  const postgres = await sharedTestPostgres();
  try {
    const sqlite = await commitThroughput({ dataDir: join(dataDir, "sqlite") }, pages, perPage);
    const pg = await commitThroughput({ dataDir: join(dataDir, "pg"), databaseUrl: await postgres.createDatabase("bench") }, pages, perPage);
    return { sqlite, postgres: pg, records: 3 * pages * perPage };
  } finally {
    await postgres.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
