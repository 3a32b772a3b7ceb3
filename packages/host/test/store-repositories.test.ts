// The store's repositories on both stores: JSON columns come back decoded, a corrupt one is
// refused with STORE_ROW_CORRUPT (naming the column and the row, never the text), and a
// transaction across repositories commits whole or not at all.
import { describe, expect, it } from "vitest";
import { BackfillError } from "@backfill-io/sdk";
import { STORE_ROW_CORRUPT } from "../src/store/repositories/json-columns.js";
import type { Store } from "../src/store/store.js";
import { STORE_TARGETS, stopPostgresAfterAll, storeOpener } from "./store-targets.js";

stopPostgresAfterAll();
const openStore = storeOpener();
const CANARY = "row-canary-3b9e";

/** Expects `read` to fail with STORE_ROW_CORRUPT for `column` of `rowId`, without the canary. */
async function expectCorrupt(read: Promise<unknown>, column: string, rowId: string): Promise<void> {
  const error = await read.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(BackfillError);
  expect(error).toMatchObject({ code: STORE_ROW_CORRUPT, details: { column, rowId } });
  expect((error as Error).message).toContain(column);
  expect((error as Error).message).not.toContain(CANARY);
}

async function connectionWithTokens(store: Store) {
  const connection = await store.connections.create({
    connectorKey: "demo",
    connectorVersion: "0.1.0",
    settings: { shop: "a" },
    endUser: { id: "u1", email: "u@example.com" },
    tags: { team: "x" },
  });
  await store.tokens.put({
    connection_id: connection.id,
    access_token_enc: "sealed",
    refresh_token_enc: null,
    token_type: "bearer",
    expires_at: null,
    refresh_expires_at: null,
    scopes: ["read", "write"],
    obtained_at: 1,
  });
  return connection;
}

describe.each(STORE_TARGETS)("store repositories on $name", (target) => {
  it("decode JSON columns once: a connection, its tokens, a checkpoint and a record come back as values", async () => {
    const { store } = await openStore(await target.create());
    const connection = await connectionWithTokens(store);
    expect(await store.connections.get(connection.id)).toMatchObject({ settings: { shop: "a" }, end_user: { id: "u1", email: "u@example.com" }, tags: { team: "x" } });
    expect((await store.tokens.get(connection.id))?.scopes).toEqual(["read", "write"]);
    await store.commitPage(connection.id, "customers", [{ kind: "customer", items: [{ idempotencyKey: "customer:1", payload: { customer_id: "1", name: "Ada" } }] }], {
      cursor: "c1",
    });
    expect(await store.checkpoints.get(connection.id, "customers")).toEqual({ cursor: "c1" });
    expect((await store.records.list(connection.id)).map((r) => r.payload)).toEqual([{ customer_id: "1", name: "Ada" }]);
  });

  it("refuse a corrupt JSON column of each aggregate with store_row_corrupt", async () => {
    const { store } = await openStore(await target.create());
    const connection = await connectionWithTokens(store);
    const id = connection.id;

    await store.db
      .updateTable("connections")
      .set({ settings_json: `not json ${CANARY}` })
      .where("id", "=", id)
      .execute();
    await expectCorrupt(store.connections.get(id), "connections.settings_json", id);
    await store.db
      .updateTable("connections")
      .set({ settings_json: "{}", tags_json: JSON.stringify({ team: 7, note: CANARY }) })
      .where("id", "=", id)
      .execute();
    await expectCorrupt(store.connections.list(), "connections.tags_json", id);
    await store.db
      .updateTable("connections")
      .set({ tags_json: "{}", end_user_json: JSON.stringify({ email: CANARY }) })
      .where("id", "=", id)
      .execute();
    await expectCorrupt(store.connections.get(id), "connections.end_user_json", id);

    await store.db
      .updateTable("oauth_tokens")
      .set({ scopes_json: JSON.stringify(CANARY) })
      .where("connection_id", "=", id)
      .execute();
    await expectCorrupt(store.tokens.get(id), "oauth_tokens.scopes_json", id);

    await store.db
      .insertInto("checkpoints")
      .values({ connection_id: id, stream: "orders", state_json: JSON.stringify([CANARY]), updated_at: 1 })
      .execute();
    await expectCorrupt(store.checkpoints.get(id, "orders"), "checkpoints.state_json", `${id}/orders`);

    await store.commitPage(id, "customers", [{ kind: "customer", items: [{ idempotencyKey: "customer:1", payload: { name: "Ada" } }] }]);
    const [record] = await store.records.list(id);
    await store.db
      .updateTable("records")
      .set({ payload_json: `{"name":"${CANARY}` })
      .where("id", "=", record!.id)
      .execute();
    await expectCorrupt(store.records.list(id), "records.payload_json", String(record!.id));

    await store.pendingAuthorizations.insert({
      id: "pa_1",
      state_hash: "h1",
      connector_key: "demo",
      connection_id: id,
      reconnect: 0,
      session_id: null,
      browser_binding_hash: null,
      code_verifier_enc: null,
      redirect_uri: "http://127.0.0.1/cb",
      settings: {},
      secret_settings_enc: null,
      force: 0,
      expires_at: Date.now() + 60_000,
    });
    await store.db
      .updateTable("pending_authorizations")
      .set({ settings_json: JSON.stringify([CANARY]) })
      .where("id", "=", "pa_1")
      .execute();
    await expectCorrupt(store.pendingAuthorizations.findByStateHash("h1"), "pending_authorizations.settings_json", "pa_1");

    await store.connectSessions.insert({
      id: "cs_1",
      token_hash: "t1",
      connector_keys: ["demo"],
      end_user: null,
      tags: {},
      settings: {},
      secret_settings_enc: null,
      connection_id: null,
      return_url: null,
      created_by: null,
      expires_at: Date.now() + 60_000,
    });
    expect(await store.connectSessions.get("cs_1")).toMatchObject({ connector_keys: ["demo"], end_user: null, tags: {}, settings: {} });
    await store.db
      .updateTable("connect_sessions")
      .set({ connector_keys_json: JSON.stringify({ key: CANARY }) })
      .where("id", "=", "cs_1")
      .execute();
    await expectCorrupt(store.connectSessions.findByTokenHash("t1"), "connect_sessions.connector_keys_json", "cs_1");
  });

  it("commit a transaction across repositories whole, or not at all", async () => {
    const { store } = await openStore(await target.create());
    const connection = await connectionWithTokens(store);
    const failed = store.transaction(async (tx) => {
      await tx.connections.setStatus(connection.id, "revoked", "by test");
      await tx.tokens.delete(connection.id);
      await tx.auditLog.append("connection.revoked", { connectionId: connection.id });
      await tx.checkpoints.put(connection.id, "customers", { cursor: "lost" });
      throw new Error("fails after the writes");
    });
    await expect(failed).rejects.toThrow("fails after the writes");
    expect((await store.connections.get(connection.id))?.status).toBe("pending");
    expect(await store.tokens.get(connection.id)).toBeDefined();
    expect(await store.auditLog.list({ connectionId: connection.id })).toEqual([]);
    expect(await store.checkpoints.get(connection.id, "customers")).toBeUndefined();

    await store.transaction(async (tx) => {
      await tx.connections.setStatus(connection.id, "revoked", "by test");
      await tx.tokens.delete(connection.id);
      await tx.auditLog.append("connection.revoked", { connectionId: connection.id });
    });
    expect((await store.connections.get(connection.id))?.status).toBe("revoked");
    expect(await store.tokens.get(connection.id)).toBeUndefined();
    expect((await store.auditLog.list({ connectionId: connection.id })).map((a) => a.action)).toEqual(["connection.revoked"]);
  });
});
