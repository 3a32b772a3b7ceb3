// Provider deletions and the records changes feed, through the real server and route
// runner: a route's Records.delete is committed with its answer as tombstones carrying the
// provider's deletion time; GET /api/records?modifiedAfter=<cursor> lists upserts and
// deletions in change order, so a consumer can mirror the store exactly; a deleted record
// never comes back from a later sync.
import { describe, expect, it } from "vitest";
import { demoServerBed } from "./support.js";

const bed = demoServerBed();

type Change = { key: string; payload: unknown; deleted?: boolean; reason?: string; deletedAt?: string };
const auth = () => ({ authorization: `Bearer ${bed.key}` });
const get = async <T>(path: string): Promise<T> => (await (await fetch(`${bed.server.url}${path}`, { headers: auth() })).json()) as T;
const probe = (body: unknown) =>
  fetch(`${bed.server.url}/connections/${bed.connectionId}/routes/probe`, {
    method: "POST",
    headers: { ...auth(), "content-type": "application/json" },
    body: JSON.stringify(body),
  });

/** Every change after `cursor`, following nextCursor in pages of `limit`. */
async function allChanges(cursor: string, limit: number): Promise<{ changes: Change[]; cursor: string }> {
  const changes: Change[] = [];
  for (;;) {
    const page = await get<{ changes: Change[]; nextCursor: string }>(`/api/records?connection=${bed.connectionId}&entity=customer&modifiedAfter=${cursor}&limit=${limit}`);
    changes.push(...page.changes);
    if (!page.changes.length) return { changes, cursor };
    cursor = page.nextCursor;
  }
}

describe("provider deletions and the records changes feed", () => {
  it("lists upserts, then a deletion with its time, and a deleted record never comes back", async () => {
    await bed.sh.engine.sync(bed.connectionId, "customers");
    const first = await allChanges("0", 4);
    expect(first.changes.map((c) => c.key)).toEqual(["customer:c1", "customer:c2", "customer:c3", "customer:c4", "customer:c5", "customer:c6"]);

    const res = await probe({ action: "delete", kind: "customer", deletions: [{ id: "c2", deletedAt: "2026-11-30T10:00:00Z" }, { id: "c99" }] });
    expect(await res.json()).toEqual({ ok: true, result: { staged: 2 } });
    const afterDelete = await allChanges(first.cursor, 10);
    expect(afterDelete.changes).toEqual([
      expect.objectContaining({ key: "customer:c2", payload: null, deleted: true, reason: "deleted", deletedAt: "2026-11-30T10:00:00.000Z" }),
      expect.objectContaining({ key: "customer:c99", payload: null, deleted: true, reason: "deleted" }),
    ]);

    // The plain listing has live records only; the deleted one is not resurrected by a later sync.
    const live = await get<{ records: { key: string }[] }>(`/api/records?connection=${bed.connectionId}&entity=customer`);
    expect(live.records.map((r) => r.key)).toEqual(["customer:c1", "customer:c3", "customer:c4", "customer:c5", "customer:c6"]);
    await bed.sh.engine.sync(bed.connectionId, "customers");
    expect((await allChanges(afterDelete.cursor, 10)).changes).toEqual([]);
    expect((await get<{ records: unknown[] }>(`/api/records?connection=${bed.connectionId}&entity=customer`)).records).toHaveLength(5);
  });

  it("refuses a bad cursor and a deletion without an id, writing nothing", async () => {
    const bad = await fetch(`${bed.server.url}/api/records?connection=${bed.connectionId}&modifiedAfter=-1`, { headers: auth() });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { code: string } }).error.code).toBe("invalid_cursor");
    const before = await allChanges("0", 1000);
    const res = await probe({ action: "delete", kind: "customer", deletions: [{ deletedAt: "2026-11-30T10:00:00Z" }] });
    expect(await res.json()).toMatchObject({ ok: false, code: "invalid_request", message: expect.stringContaining("has no id") });
    expect((await allChanges("0", 1000)).changes).toEqual(before.changes);
  });
});
