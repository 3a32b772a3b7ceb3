// A stored row whose JSON column is corrupt (hand-edited, a bad restore, a buggy older
// writer) is refused with a stable code, naming the column and the row, and never echoes
// the corrupt text (it may hold anything). Before the store decoded its columns, the API
// served such a row as if it were well-formed (tags that are not strings, an array as settings).
import { describe, expect, it } from "vitest";
import { demoServerBed } from "./support.js";

const bed = demoServerBed();
const auth = () => ({ authorization: `Bearer ${bed.key}` });
const CANARY = "corrupt-canary-6f1d";

/** A connection row written behind the store's back, with these JSON columns. */
async function insertRawConnection(id: string, columns: { settings_json?: string; tags_json?: string; end_user_json?: string | null }): Promise<void> {
  const now = Date.now();
  await bed.sh.host.store.db
    .insertInto("connections")
    .values({
      id,
      connector_key: "demo",
      connector_version: "0.1.0",
      settings_json: columns.settings_json ?? "{}",
      status: "active",
      status_reason: null,
      provider_account_id: null,
      provider_account_name: null,
      provider_account_domain: null,
      end_user_json: columns.end_user_json ?? null,
      tags_json: columns.tags_json ?? "{}",
      created_at: now,
      updated_at: now,
      connected_at: null,
    })
    .execute();
}

async function deleteConnection(id: string): Promise<void> {
  await bed.sh.host.store.db.deleteFrom("connections").where("id", "=", id).execute();
}

async function getJson(path: string): Promise<{ status: number; text: string; body: { error?: { code?: string; message?: string } } }> {
  const res = await fetch(`${bed.server.url}${path}`, { headers: auth() });
  const text = await res.text();
  return { status: res.status, text, body: JSON.parse(text) as { error?: { code?: string; message?: string } } };
}

describe("a corrupt stored row", () => {
  it("tags that are not strings: GET /api/connections/:id answers store_row_corrupt, naming the column, not the text", async () => {
    await insertRawConnection("conn_corrupt_tags", { tags_json: JSON.stringify({ team: 7, note: CANARY }) });
    const res = await getJson("/api/connections/conn_corrupt_tags");
    expect(res.status).toBe(500);
    expect(res.body.error?.code).toBe("store_row_corrupt");
    expect(res.body.error?.message).toContain("connections.tags_json");
    expect(res.body.error?.message).toContain("conn_corrupt_tags");
    expect(res.text).not.toContain(CANARY);
    await deleteConnection("conn_corrupt_tags");
  });

  it("settings that are not an object: the connections list is refused too, not served with the row cast", async () => {
    await insertRawConnection("conn_corrupt_settings", { settings_json: JSON.stringify([CANARY]) });
    const res = await getJson("/api/connections");
    expect(res.status).toBe(500);
    expect(res.body.error?.code).toBe("store_row_corrupt");
    expect(res.body.error?.message).toContain("connections.settings_json");
    expect(res.text).not.toContain(CANARY);
    await deleteConnection("conn_corrupt_settings");
  });

  it("a record payload that is not JSON: the records API answers store_row_corrupt, not a bare internal_error", async () => {
    await bed.sh.engine.sync(bed.connectionId, "customers");
    await bed.sh.host.store.db
      .updateTable("records")
      .set({ payload_json: `{"name":"${CANARY}` })
      .where("connection_id", "=", bed.connectionId)
      .where("idempotency_key", "=", "customer:c2")
      .execute();
    const res = await getJson(`/api/records?entity=customer&connection=${bed.connectionId}`);
    expect(res.status).toBe(500);
    expect(res.body.error?.code).toBe("store_row_corrupt");
    expect(res.body.error?.message).toContain("records.payload_json");
    expect(res.text).not.toContain(CANARY);
  });
});
