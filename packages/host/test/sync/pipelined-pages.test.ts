// The next pages of a sync start while the page before them commits (the worker runs each on
// the state the page before it staged, PAGES_AHEAD at most). What is stored must be what the
// page-by-page loop stores: a page started ahead of a commit that fails, or of a run that
// ends, is never committed.
import { afterAll, beforeAll, expect, it } from "vitest";
import { StreamLockedError } from "../../src/sync/index.js";
import { customerPages, json, startServer, type TestServer } from "../runner/support.js";
import { createDemoConnection, openSyncHost, recordSet, takeStreamLockOver, type SyncHost } from "./support.js";

let server: TestServer;
let sh: SyncHost;
let onPage: (page: number) => Promise<void> = async () => undefined;
const requested: number[] = [];
const pages = customerPages(5, 2);

beforeAll(async () => {
  server = await startServer((req, res) => {
    const page = Number(new URL(req.url ?? "/", "http://x").searchParams.get("page") ?? 1);
    requested.push(page);
    void onPage(page).then(() => json(res, 200, pages(page)));
  });
  sh = await openSyncHost(server.port);
});

afterAll(async () => {
  await sh.close();
  await server.close();
});

const keys = async (id: string) => (await recordSet(sh.host, id)).map(([key]) => key);
const customerKeys = (n: number) => Array.from({ length: n }, (_, i) => `customer/customer:c${i + 1}`).sort();

it("reads each page once, in order, and stores every record with the last checkpoint", async () => {
  const id = await createDemoConnection(sh.host, server.base);
  requested.length = 0;
  onPage = async () => undefined;
  const result = await sh.engine.sync(id, "customers");
  expect(result).toMatchObject({ outcome: "succeeded", pages: 5, accepted: 10 });
  expect(requested).toEqual([1, 2, 3, 4, 5]);
  expect(await keys(id)).toEqual(customerKeys(10));
  expect(await sh.host.store.checkpoints.get(id, "customers")).toEqual({ page: 5 });
});

it("drops the page it started ahead when the commit before it fails (the stream's lock was taken)", async () => {
  const id = await createDemoConnection(sh.host, server.base);
  requested.length = 0;
  onPage = async (page) => {
    // A slow page 2: page 1 is committed alone while it is awaited (pages that come faster are committed together).
    if (page === 2) await new Promise((resolve) => setTimeout(resolve, 150));
    if (page === 3) await takeStreamLockOver(sh.host, id, "customers");
  };
  await expect(sh.engine.sync(id, "customers", { maxAttempts: 1 })).rejects.toBeInstanceOf(StreamLockedError);
  // Page 2's commit waited at least for page 3's provider answer, during which the lock was
  // taken: page 3 was read (and the pages after it held with page 2, up to the failed commit)
  // and none of them nor page 2 is stored. Page 1 is all there is.
  expect(requested.slice(0, 3)).toEqual([1, 2, 3]);
  expect(await keys(id)).toEqual(customerKeys(2));
  expect(await sh.host.store.checkpoints.get(id, "customers")).toEqual({ page: 2 });
});

it("drops the page it started ahead when the run is cancelled, and the next run resumes exactly", async () => {
  const id = await createDemoConnection(sh.host, server.base);
  requested.length = 0;
  // Each page slower than a held page waits for the next: pages are committed one at a time.
  onPage = () => new Promise((resolve) => setTimeout(resolve, 60));
  const abort = new AbortController();
  const cancelled = await sh.engine.sync(id, "customers", { signal: abort.signal, onProgress: (p) => void (p.pages === 2 && abort.abort()) });
  expect(cancelled).toMatchObject({ outcome: "cancelled", pages: 2 });
  // Pages 3 and 4 were sent ahead; page 3 ran, page 4 only if it started before the cancel. Neither is stored.
  expect(requested.slice(0, 3)).toEqual([1, 2, 3]);
  expect([
    [1, 2, 3],
    [1, 2, 3, 4],
  ]).toContainEqual(requested);
  expect(await keys(id)).toEqual(customerKeys(4));
  expect(await sh.host.store.checkpoints.get(id, "customers")).toEqual({ page: 3 });

  requested.length = 0;
  onPage = async () => undefined;
  expect(await sh.engine.sync(id, "customers")).toMatchObject({ outcome: "succeeded", pages: 3 });
  expect(requested).toEqual([3, 4, 5]);
  expect(await keys(id)).toEqual(customerKeys(10));
});

it("stops at maxPages without reading a page beyond it", async () => {
  const id = await createDemoConnection(sh.host, server.base);
  requested.length = 0;
  onPage = async () => undefined;
  expect(await sh.engine.sync(id, "customers", { maxPages: 2 })).toMatchObject({ outcome: "succeeded", pages: 2 });
  expect(requested).toEqual([1, 2]);
  expect(await keys(id)).toEqual(customerKeys(4));
});

it("does not hold a page's commit for a slow next page: the commit waits for its first answer only briefly", async () => {
  const id = await createDemoConnection(sh.host, server.base);
  let storedWhilePage3Waited: unknown;
  onPage = async (page) => {
    if (page !== 3) return;
    // Page 3's provider is slow (3 s, far beyond the commit's bounded wait): page 2 is stored meanwhile.
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    storedWhilePage3Waited = await sh.host.store.checkpoints.get(id, "customers");
  };
  expect(await sh.engine.sync(id, "customers")).toMatchObject({ outcome: "succeeded", pages: 5 });
  expect(storedWhilePage3Waited).toEqual({ page: 3 });
  expect(await keys(id)).toEqual(customerKeys(10));
});
