// Store: an older version never replaces a newer one (provider_version), webhook delivery
// ids are remembered for the retention window and purged after it, and migration 004
// fills provider_version for records stored before it.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { Kysely, Migrator, PostgresDialect, SqliteDialect } from "kysely";
import Database from "better-sqlite3";
import pg from "pg";
import { WEBHOOK_DELIVERY_RETENTION_MS } from "@backfill-io/sdk";
import { MIGRATIONS } from "../src/store/migrations.js";
import { STORE_TARGETS, stopPostgresAfterAll, storeOpener, type StoreTarget } from "./store-targets.js";

stopPostgresAfterAll();

const order = (updatedAt: string, total: string) => ({ receipt_id: "o1", currency: "USD", total, provider_updated_at: updatedAt });
const page = (payload: unknown) => [{ kind: "sales_receipt", items: [{ idempotencyKey: "square:order:o1", payload }] }];

describe.each(STORE_TARGETS)("on $name", (target) => {
  const opener = storeOpener();

  async function openStore(clock: () => number = Date.now) {
    const { store } = await opener(await target.create(), clock);
    const conn = await store.connections.create({ connectorKey: "square", connectorVersion: "0.1.0", settings: {} });
    return { store, connectionId: conn.id };
  }

  describe("store: record versions", () => {
    it("v1, v2, then v1 replayed: v2 stays; the replay is counted stale and nothing is written", async () => {
      const { store, connectionId } = await openStore();
      await store.commitPage(connectionId, "orders", page(order("2024-04-02T18:30:00.000Z", "1.00")));
      await store.commitPage(connectionId, "orders", page(order("2024-04-02T18:31:00.000Z", "2.00")));
      const [before] = await store.records.list(connectionId);
      const replay = await store.commitPage(connectionId, "orders", page(order("2024-04-02T18:30:00.000Z", "1.00")));
      expect(replay).toEqual({ inserted: 0, updated: 0, unchanged: 0, suppressed: 0, stale: 1 });
      const [after] = await store.records.list(connectionId);
      expect(after).toEqual(before);
      expect(after!.payload).toMatchObject({ total: "2.00" });
      expect(after!.provider_version).toBe(Date.parse("2024-04-02T18:31:00.000Z"));
    });

    it("an equal version applies, and so does one without a version", async () => {
      const { store, connectionId } = await openStore();
      await store.commitPage(connectionId, "orders", page(order("2024-04-02T18:30:00Z", "1.00")));
      expect((await store.commitPage(connectionId, "orders", page(order("2024-04-02T13:30:00-05:00", "3.00")))).updated).toBe(1);
      expect((await store.commitPage(connectionId, "orders", page({ receipt_id: "o1", currency: "USD", total: "4.00" }))).updated).toBe(1);
    });
  });

  describe("store: webhook deliveries", () => {
    it("remembers claimed ids per connection, claims each once, and purges them after the retention window", async () => {
      let now = 1_700_000_000_000;
      const { store, connectionId } = await openStore(() => now);
      const other = (await store.connections.create({ connectorKey: "square", connectorVersion: "0.1.0", settings: {} })).id;
      expect(await store.webhookDeliveries.anyProcessed(connectionId, ["square:event:e1"])).toBe(false);
      expect(await store.webhookDeliveries.claim(connectionId, ["square:event:e1"])).toBe(1);
      expect(await store.webhookDeliveries.claim(connectionId, ["square:event:e1", "square:event:e2"])).toBe(1);
      expect(await store.webhookDeliveries.anyProcessed(connectionId, ["x", "square:event:e1"])).toBe(true);
      expect(await store.webhookDeliveries.anyProcessed(other, ["square:event:e1"])).toBe(false);
      now += WEBHOOK_DELIVERY_RETENTION_MS;
      expect(await store.webhookDeliveries.anyProcessed(connectionId, ["square:event:e1"])).toBe(false);
      await store.webhookDeliveries.claim(other, ["square:event:e9"]);
      const left = await store.db.selectFrom("webhook_deliveries").select(["connection_id", "delivery_id"]).execute();
      expect(left).toEqual([{ connection_id: other, delivery_id: "square:event:e9" }]);
    });
  });
});

/** A bare Kysely on a new database of the target, to run migrations one by one. */
async function bareDatabase(target: StoreTarget) {
  const created = await target.create();
  if (created.databaseUrl) {
    // As the store's pool (store/postgres.ts): a server that stops after the test must not end the run with an unhandled 'error'.
    const pool = new pg.Pool({ connectionString: created.databaseUrl });
    pool.on("error", () => undefined);
    pool.on("connect", (client) => client.on("error", () => undefined));
    return new Kysely<any>({ dialect: new PostgresDialect({ pool }) }); // eslint-disable-line @typescript-eslint/no-explicit-any -- a schema between migrations
  }
  const sqlite = new Database(join(mkdtempSync(join(tmpdir(), "backfill-mig-")), "db.sqlite"));
  return new Kysely<any>({ dialect: new SqliteDialect({ database: sqlite }) }); // eslint-disable-line @typescript-eslint/no-explicit-any -- a schema between migrations
}

describe.each(STORE_TARGETS)("migration 004_webhook_deliveries on $name", (target) => {
  it("fills provider_version of records stored before it from their payloads", async () => {
    const db = await bareDatabase(target);
    try {
      const before = Object.fromEntries(Object.entries(MIGRATIONS).filter(([name]) => name < "004"));
      await new Migrator({ db, provider: { getMigrations: async () => before } }).migrateToLatest();
      await db.insertInto("connections").values({ id: "c", connector_key: "square", connector_version: "1", status: "active", created_at: 0, updated_at: 0 }).execute();
      const row = (key: string, payload: unknown) => ({
        connection_id: "c",
        kind: "sales_receipt",
        idempotency_key: key,
        payload_json: JSON.stringify(payload),
        first_seen: 0,
        last_seen: 0,
      });
      await db
        .insertInto("records")
        .values([row("a", order("2026-01-05T07:00:00.123-05:00", "1.00")), row("b", { receipt_id: "b" })])
        .execute();
      const { error } = await new Migrator({ db, provider: { getMigrations: async () => MIGRATIONS } }).migrateToLatest();
      expect(error).toBeUndefined();
      const rows = (await db.selectFrom("records").select(["idempotency_key", "provider_version"]).orderBy("idempotency_key").execute()).map(
        (r: { idempotency_key: string; provider_version: unknown }) => ({ ...r, provider_version: r.provider_version === null ? null : Number(r.provider_version) }),
      );
      expect(rows).toEqual([
        { idempotency_key: "a", provider_version: Date.parse("2026-01-05T12:00:00.123Z") },
        { idempotency_key: "b", provider_version: null },
      ]);
    } finally {
      await db.destroy();
    }
  });
});
