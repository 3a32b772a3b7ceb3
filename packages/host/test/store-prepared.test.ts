// preparedQuery: a Kysely query compiled once per dialect and run with new values, on both stores.
import { describe, expect, it } from "vitest";
import { preparedQuery } from "../src/store/prepared.js";
import { STORE_TARGETS, stopPostgresAfterAll, storeOpener } from "./store-targets.js";

stopPostgresAfterAll();

const runsOf = preparedQuery((db, v: { connectionId: string; stream: string }) =>
  db.selectFrom("sync_runs").select(["id", "pages"]).where("connection_id", "=", v.connectionId).where("stream", "=", v.stream).where("status", "=", "running").orderBy("id"),
);

describe.each(STORE_TARGETS)("preparedQuery on $name", (target) => {
  const openStore = storeOpener();

  it("runs the query compiled on its first call with each call's values, constants kept", async () => {
    const { store } = await openStore(await target.create());
    const a = await store.connections.create({ connectorKey: "demo", connectorVersion: "0.1.0", settings: {}, status: "active" });
    const b = await store.connections.create({ connectorKey: "demo", connectorVersion: "0.1.0", settings: {}, status: "active" });
    const runA = await store.syncRuns.create(a.id, "customers", "run_a");
    await store.syncRuns.create(b.id, "customers", "run_b");
    await store.syncRuns.create(b.id, "orders", "run_c");
    await store.syncRuns.finish((await store.syncRuns.create(a.id, "customers", "run_d")).id, "failed", "failed");

    // "running" is a constant of the query: run_d (failed) never comes back.
    expect((await runsOf(store.db, { connectionId: a.id, stream: "customers" })).rows).toEqual([{ id: runA.id, pages: 0 }]);
    expect((await runsOf(store.db, { connectionId: b.id, stream: "orders" })).rows).toEqual([{ id: "run_c", pages: 0 }]);
    // A value that looks like SQL is a value.
    expect((await runsOf(store.db, { connectionId: "x' or '1'='1", stream: "customers" })).rows).toEqual([]);
    // In a transaction too (the same dialect's compiled query), and the repositories built on it.
    await store.transaction(async (tx) => {
      await tx.syncRuns.increment(runA.id, { pages: 2, accepted: 20 });
      expect((await runsOf(tx.db, { connectionId: a.id, stream: "customers" })).rows).toEqual([{ id: runA.id, pages: 2 }]);
    });
    expect(await store.syncRuns.get(runA.id)).toMatchObject({ pages: 2, accepted: 20, rejected: 0, retries: 0 });
  });

  it("refuses a call that lacks a value the query names", async () => {
    const { store } = await openStore(await target.create());
    await runsOf(store.db, { connectionId: "c", stream: "s" });
    await expect(runsOf(store.db, { connectionId: "c" } as never)).rejects.toThrow("prepared query: no value for stream");
  });
});
