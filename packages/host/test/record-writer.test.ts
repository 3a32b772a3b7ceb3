// The page write path (db/record-writer.ts): one lookup per kind and page instead of one per
// record. What a per-record lookup got right must hold: a key twice in one page sees its first
// write, a key that is not well-formed UTF-16 finds its stored row, and the lookup searches
// the unique index (a scan of the connection's records would make every page cost its table).
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { openDatabase, type OpenedDatabase } from "../src/store/open.js";
import { PAGE_LOOKUP_SQL } from "../src/store/record-writer.js";
import { Store } from "../src/store/store.js";

const opened: OpenedDatabase[] = [];
afterEach(async () => {
  for (const db of opened.splice(0)) await db.close();
});

async function open() {
  const db = await openDatabase({ dataDir: mkdtempSync(join(tmpdir(), "backfill-writer-")) });
  opened.push(db);
  const store = new Store(db.db, undefined, db.sqlite);
  const connection = await store.connections.create({ connectorKey: "demo", connectorVersion: "0.1.0", settings: {}, status: "active" });
  return { db, store, connectionId: connection.id };
}

const customer = (id: string, name: string) => ({ idempotencyKey: `customer:${id}`, payload: { customer_id: id, display_name: name } });

describe("record writer", () => {
  it("a key twice in one page: the second write sees the first (an update, then unchanged), never a second insert", async () => {
    const { store, connectionId } = await open();
    const page = [customer("a", "Ada"), customer("a", "Ada L."), customer("a", "Ada L."), customer("b", "Bo")];
    const result = await store.commitPage(connectionId, "customers", [{ kind: "customer", items: page }], { page: 1 });
    expect(result).toMatchObject({ inserted: 2, updated: 1, unchanged: 1 });
    const rows = await store.records.list(connectionId);
    expect(rows.map((r) => [r.idempotency_key, (r.payload as { display_name?: string } | null)?.display_name])).toEqual([
      ["customer:a", "Ada L."],
      ["customer:b", "Bo"],
    ]);
  });

  it("a key with a lone surrogate finds its stored row on the next page (unchanged, not a failed insert)", async () => {
    const { store, connectionId } = await open();
    const odd = customer("x\ud800y", "Odd");
    expect(await store.commitPage(connectionId, "customers", [{ kind: "customer", items: [odd] }], { page: 1 })).toMatchObject({ inserted: 1 });
    expect(await store.commitPage(connectionId, "customers", [{ kind: "customer", items: [customer("z", "Zed"), odd] }], { page: 2 })).toMatchObject({ inserted: 1, unchanged: 1 });
    expect(await store.records.count(connectionId)).toBe(2);
  });

  it("looks a page's keys up through the unique index, never scanning the connection's records", async () => {
    const { db } = await open();
    const plan = db.sqlite!.prepare(`explain query plan ${PAGE_LOOKUP_SQL}`).all("[]", "c", "customer") as { detail: string }[];
    const records = plan.map((p) => p.detail).filter((d) => /\brecords\b| r\b/.test(d));
    expect(records).toHaveLength(1);
    expect(records[0]).toMatch(/^SEARCH r USING INDEX \S+ \(connection_id=\? AND kind=\? AND idempotency_key=\?\)$/);
  });

  it("a long page lets the event loop turn while it writes, and a query made meanwhile sees the page whole or not at all", async () => {
    const { store, connectionId } = await open();
    const page = Array.from({ length: 5_000 }, (_, i) => customer(String(i), `Customer ${i}`));
    let committed = false;
    const seenMidWrite: { turnedBeforeCommit: boolean; count: Promise<number> }[] = [];
    // An I/O-like callback (a route's waiting SDK call) queued as the write starts: it runs while
    // the page is being written, not after, and its query waits for the transaction.
    setImmediate(() => seenMidWrite.push({ turnedBeforeCommit: !committed, count: store.records.count(connectionId) }));
    const result = await store.commitPage(connectionId, "customers", [{ kind: "customer", items: page }], { page: 1 });
    committed = true;
    expect(result.inserted).toBe(5_000);
    expect(seenMidWrite).toHaveLength(1);
    expect(seenMidWrite[0]!.turnedBeforeCommit).toBe(true);
    expect(await seenMidWrite[0]!.count).toBe(5_000);
  });
});
