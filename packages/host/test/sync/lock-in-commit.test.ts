// The stream lock is renewed in each page's commit (no lock write of its own per page). A
// sync that lost its lock while a page ran (another owner took the stream over) must commit
// nothing of that page: the commit checks the lock in its own transaction.
import { afterAll, beforeAll, expect, it } from "vitest";
import { StreamLockedError } from "../../src/sync/index.js";
import { customerPages, json, startServer, type TestServer } from "../runner/support.js";
import { createDemoConnection, openSyncHost, recordSet, takeStreamLockOver, type SyncHost } from "./support.js";

let server: TestServer;
let sh: SyncHost;
let onPage: (page: number) => Promise<void> = async () => undefined;
const pages = customerPages(3, 2);

beforeAll(async () => {
  server = await startServer((req, res) => {
    const page = Number(new URL(req.url ?? "/", "http://x").searchParams.get("page") ?? 1);
    void onPage(page).then(() => json(res, 200, pages(page)));
  });
  sh = await openSyncHost(server.port);
});

afterAll(async () => {
  await sh.close();
  await server.close();
});

it("commits nothing of a page during which another owner took the stream's lock", async () => {
  const id = await createDemoConnection(sh.host, server.base);
  onPage = async (page) => {
    // Page 2 is slow, so page 1 (held for the pages after it) is committed alone while page 2 is
    // awaited. Page 2 commits no earlier than page 3 (started ahead of that commit) has its
    // provider answer: the lock is taken over while page 3 is read, so page 2 commits under a lock it lost.
    if (page === 2) await new Promise((resolve) => setTimeout(resolve, 150));
    if (page === 3) await takeStreamLockOver(sh.host, id, "customers");
  };
  await expect(sh.engine.sync(id, "customers", { maxAttempts: 1 })).rejects.toBeInstanceOf(StreamLockedError);
  // Page 1 only: page 2 was committed while the lock was someone else's.
  expect((await recordSet(sh.host, id)).map(([key]) => key)).toEqual(["customer/customer:c1", "customer/customer:c2"]);
  expect(await sh.host.store.checkpoints.get(id, "customers")).toEqual({ page: 2 });
  // The other owner's lock stands.
  expect(await sh.host.store.streamLocks.owner(id, "customers")).toBe("another-host:1:intruder");
});
