import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { sql } from "kysely";
import { openDatabase, resolveDataDir, type OpenedDatabase } from "../src/store/open.js";
import { MIGRATIONS } from "../src/store/migrations.js";
import { Store, payloadHash } from "../src/store/store.js";
import { STORE_TARGETS, stopPostgresAfterAll, storeOpener, type DatabaseTarget } from "./store-targets.js";

const opened: OpenedDatabase[] = [];
afterEach(async () => {
  while (opened.length) await opened.pop()!.close();
});

async function open(dataDir = mkdtempSync(join(tmpdir(), "backfill-store-"))) {
  const db = await openDatabase({ dataDir });
  opened.push(db);
  return { store: new Store(db.db, undefined, db.sqlite), db, dataDir };
}

const customer = (id: string, name = "Ada") => ({ customer_id: id, name });

stopPostgresAfterAll();

describe("store on SQLite", () => {
  it("migrates on open, in WAL mode, and reopening is a no-op", async () => {
    const { dataDir, db } = await open();
    expect(db.file).toBe(join(dataDir, "backfill.db"));
    const journal = await sql<{ journal_mode: string }>`pragma journal_mode`.execute(db.db);
    expect(journal.rows[0]!.journal_mode).toBe("wal");
    const applied = async (store: Store) => (await sql<{ name: string }>`select name from kysely_migration order by name`.execute(store.db)).rows.map((r) => r.name);
    const again = await open(dataDir);
    expect(await applied(again.store)).toEqual(Object.keys(MIGRATIONS).sort());
    const tables = await again.store.db.introspection.getTables();
    expect(tables.map((t) => t.name)).toEqual(
      expect.arrayContaining([
        "oauth_app_credentials",
        "connections",
        "oauth_tokens",
        "pending_authorizations",
        "connection_secrets",
        "records",
        "checkpoints",
        "sync_runs",
        "audit_log",
        "vault_keys",
      ]),
    );
  });

  it("keeps its file in BACKFILL_DATA_DIR, else ./.backfill under the working directory", () => {
    const saved = process.env.BACKFILL_DATA_DIR;
    try {
      process.env.BACKFILL_DATA_DIR = "/srv/backfill-data";
      expect(resolveDataDir()).toBe("/srv/backfill-data");
      expect(resolveDataDir("/explicit")).toBe("/explicit");
      delete process.env.BACKFILL_DATA_DIR;
      expect(resolveDataDir()).toBe(join(process.cwd(), ".backfill"));
    } finally {
      if (saved === undefined) delete process.env.BACKFILL_DATA_DIR;
      else process.env.BACKFILL_DATA_DIR = saved;
    }
  });
});

describe.each(STORE_TARGETS)("store on $name", (target) => {
  const openStore = storeOpener();
  let current: DatabaseTarget;
  // Each test gets its own database; `open(same)` is a second connection to it.
  async function open(same?: DatabaseTarget, clock?: () => number) {
    current = same ?? (await target.create());
    const { db, store } = await openStore(current, clock);
    return { store, db, dataDir: current, target: current };
  }

  it("every migration is applied on a new database, and opening it again applies none", async () => {
    const first = await open();
    expect(first.db.migrated).toEqual(Object.keys(MIGRATIONS).sort());
    const again = await open(first.target);
    expect(again.db.migrated).toEqual([]);
    const tables = await again.store.db.introspection.getTables();
    expect(tables.map((t) => t.name)).toEqual(expect.arrayContaining(["connections", "oauth_tokens", "records", "stream_locks", "vault_keys", "vault_keyring"]));
  });

  it("commitPage upserts by connection+kind+key and writes the checkpoint in the same transaction", async () => {
    let now = 1_000_000;
    const { store } = await open(undefined, () => now);
    const conn = await store.connections.create({ connectorKey: "shopify", connectorVersion: "0.1.0", settings: {} });
    const first = await store.commitPage(
      conn.id,
      "customers",
      [
        {
          kind: "customer",
          items: [
            { idempotencyKey: "c1", payload: customer("c1") },
            { idempotencyKey: "c2", payload: customer("c2") },
          ],
        },
      ],
      { cursor: "a" },
    );
    expect(first).toEqual({ inserted: 2, updated: 0, unchanged: 0, suppressed: 0, stale: 0 });
    expect(await store.checkpoints.get(conn.id, "customers")).toEqual({ cursor: "a" });

    const [before] = await store.records.list(conn.id);
    now += 60_000;
    const second = await store.commitPage(
      conn.id,
      "customers",
      [
        {
          kind: "customer",
          items: [
            { idempotencyKey: "c1", payload: { name: "Ada", customer_id: "c1" } },
            { idempotencyKey: "c2", payload: customer("c2", "Bob") },
          ],
        },
      ],
      { cursor: "b" },
    );
    expect(second).toEqual({ inserted: 0, updated: 1, unchanged: 1, suppressed: 0, stale: 0 });
    const [after] = await store.records.list(conn.id);
    expect(after!.first_seen).toBe(before!.first_seen);
    expect(after!.last_seen).toBe(before!.last_seen + 60_000);
    expect(after!.payload_hash).toBe(before!.payload_hash);
    const [, changed] = await store.records.list(conn.id);
    expect(changed!.payload_hash).not.toBe(payloadHash(customer("c2")));
    expect(await store.checkpoints.get(conn.id, "customers")).toEqual({ cursor: "b" });

    // A failure while writing the checkpoint rolls back the page's records too.
    await expect(store.commitPage(conn.id, "customers", [{ kind: "customer", items: [{ idempotencyKey: "c3", payload: customer("c3") }] }], { bad: 1n })).rejects.toThrow();
    expect(await store.records.count(conn.id)).toBe(2);
    expect(await store.checkpoints.get(conn.id, "customers")).toEqual({ cursor: "b" });
  });

  it("redactRecords tombstones by customer and a tombstone is never resurrected", async () => {
    const { store } = await open();
    const conn = await store.connections.create({ connectorKey: "shopify", connectorVersion: "0.1.0", settings: {} });
    await store.commitPage(conn.id, "orders", [
      {
        kind: "customer",
        items: [
          { idempotencyKey: "customer:c1", payload: customer("c1") },
          { idempotencyKey: "customer:c2", payload: customer("c2") },
        ],
      },
      { kind: "sales_receipt", items: [{ idempotencyKey: "r1", payload: { receipt_id: "r1", customer_id: "c1" } }] },
    ]);
    expect(await store.records.redact(conn.id, { customerId: "c1" })).toEqual({ redacted: 2 });
    expect(await store.records.count(conn.id)).toBe(1);
    const again = await store.commitPage(conn.id, "orders", [{ kind: "sales_receipt", items: [{ idempotencyKey: "r1", payload: { receipt_id: "r1", customer_id: "c1" } }] }]);
    expect(again.suppressed).toBe(1);
    const all = await store.records.list(conn.id, { includeTombstoned: true });
    expect(all.filter((r) => r.tombstoned_at !== null).every((r) => r.payload === null)).toBe(true);
    expect(await store.records.redact(conn.id, { all: true })).toEqual({ redacted: 1 });
  });

  it("redactRecords reaches a guest order's receipt and its refunds by receipt id, OR-ed with other selectors", async () => {
    const { store } = await open();
    const conn = await store.connections.create({ connectorKey: "shopify", connectorVersion: "0.1.0", settings: {} });
    await store.commitPage(conn.id, "orders", [
      {
        kind: "sales_receipt",
        items: [
          { idempotencyKey: "o1", payload: { receipt_id: "o1" } },
          { idempotencyKey: "o2", payload: { receipt_id: "o2" } },
        ],
      },
      {
        kind: "refund_receipt",
        items: [
          { idempotencyKey: "f1", payload: { refund_id: "f1", receipt_id: "o1" } },
          { idempotencyKey: "f2", payload: { refund_id: "f2", receipt_id: "o2" } },
        ],
      },
      { kind: "customer", items: [{ idempotencyKey: "customer:c9", payload: customer("c9") }] },
    ]);
    expect(await store.records.redact(conn.id, { receiptIds: ["o1"], customerId: "c9" })).toEqual({ redacted: 3 });
    const left = await store.records.list(conn.id);
    expect(left.map((r) => r.idempotency_key).sort()).toEqual(["f2", "o2"]);
    expect(await store.records.redact(conn.id, { kind: "refund_receipt", receiptIds: ["o2"] })).toEqual({ redacted: 1 });
  });

  it("a stream lock excludes a second owner, also through another database connection, until it expires", async () => {
    let now = 1_000_000;
    const { store: storeA, target: shared } = await open(undefined, () => now);
    const { store: storeB } = await open(shared, () => now);
    const conn = await storeA.connections.create({ connectorKey: "shopify", connectorVersion: "0.1.0", settings: {} });
    expect(await storeA.streamLocks.tryLock(conn.id, "orders", "worker-a", 60_000)).toBe(true);
    expect(await storeB.streamLocks.tryLock(conn.id, "orders", "worker-b", 60_000)).toBe(false);
    expect(await storeB.streamLocks.tryLock(conn.id, "customers", "worker-b", 60_000)).toBe(true);
    expect(await storeA.streamLocks.tryLock(conn.id, "orders", "worker-a", 60_000)).toBe(true); // renew
    now += 61_000;
    expect(await storeB.streamLocks.tryLock(conn.id, "orders", "worker-b", 60_000)).toBe(true);
    expect(await storeA.streamLocks.unlock(conn.id, "orders", "worker-a")).toBe(false);
    expect(await storeB.streamLocks.unlock(conn.id, "orders", "worker-b")).toBe(true);
  });

  it("sync runs: create, count, finish, list", async () => {
    const { store } = await open();
    const conn = await store.connections.create({ connectorKey: "shopify", connectorVersion: "0.1.0", settings: {} });
    const run = await store.syncRuns.create(conn.id, "orders");
    await store.syncRuns.increment(run.id, { pages: 1, accepted: 10, rejected: 1 });
    await store.syncRuns.increment(run.id, { pages: 1, accepted: 5, retries: 2 });
    await store.syncRuns.finish(run.id, "succeeded", "completed");
    const got = await store.syncRuns.get(run.id);
    expect(got).toMatchObject({ status: "succeeded", pages: 2, accepted: 15, rejected: 1, retries: 2, outcome: "completed" });
    expect(got!.finished_at).not.toBeNull();
    expect((await store.syncRuns.list({ connectionId: conn.id })).map((r) => r.id)).toEqual([run.id]);
  });
});
