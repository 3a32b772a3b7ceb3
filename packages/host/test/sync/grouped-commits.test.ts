// Pages that come faster than the main thread commits them are committed several to a
// transaction (GROUP_MAX_* in sync.ts). What is stored must be what a page-by-page run stores,
// each page reported once and in order, and pages held when a later one fails are stored
// before it is retried (the retry reads their checkpoint, not an older one).
import { afterAll, beforeAll, expect, it } from "vitest";
import type { SyncProgress } from "../../src/sync/index.js";
import { customerPages, json, startServer, type TestServer } from "../runner/support.js";
import { createDemoConnection, openSyncHost, recordSet, type SyncHost } from "./support.js";

let server: TestServer;
let sh: SyncHost;
const PAGES = 40;
const pages = customerPages(PAGES, 2);
const requested: number[] = [];
/** Answers this page once with a 503 (then normally). */
let failOnce: number | null = null;

beforeAll(async () => {
  server = await startServer((req, res) => {
    const page = Number(new URL(req.url ?? "/", "http://x").searchParams.get("page") ?? 1);
    requested.push(page);
    if (page === failOnce) {
      failOnce = null;
      return json(res, 503, { error: "busy" });
    }
    json(res, 200, pages(page));
  });
  sh = await openSyncHost(server.port);
});

afterAll(async () => {
  await sh.close();
  await server.close();
});

/** Counts the store's top-level transactions while `fn` runs (a page group commits in one). */
async function countingTransactions<T>(fn: () => Promise<T>): Promise<{ value: T; transactions: number }> {
  const store = sh.host.store;
  const original = store.transaction.bind(store);
  let transactions = 0;
  store.transaction = (work) => {
    transactions++;
    return original(work);
  };
  try {
    return { value: await fn(), transactions };
  } finally {
    store.transaction = original;
  }
}

const allKeys = (n: number) => Array.from({ length: n }, (_, i) => `customer/customer:c${i + 1}`).sort();

it("commits fast pages several to a transaction and stores exactly what page-by-page commits store", async () => {
  const id = await createDemoConnection(sh.host, server.base);
  const progress: SyncProgress[] = [];
  requested.length = 0;
  const { value: result, transactions } = await countingTransactions(() => sh.engine.sync(id, "customers", { onProgress: (p) => progress.push(p) }));
  expect(result).toMatchObject({ outcome: "succeeded", pages: PAGES, accepted: PAGES * 2 });
  expect(requested).toEqual(Array.from({ length: PAGES }, (_, i) => i + 1));
  // Fewer transactions than pages (each group is one), and no more than the group bound allows.
  expect(transactions).toBeLessThan(PAGES);
  expect(transactions).toBeGreaterThanOrEqual(Math.ceil(PAGES / 8));
  // Every page reported once, in order, with the counts as of that page.
  expect(progress.filter((p) => !p.done).map((p) => [p.pages, p.records])).toEqual(Array.from({ length: PAGES }, (_, i) => [i + 1, (i + 1) * 2]));
  expect((await recordSet(sh.host, id)).map(([key]) => key)).toEqual(allKeys(PAGES * 2));
  expect(await sh.host.store.checkpoints.get(id, "customers")).toEqual({ page: PAGES });
  expect(await sh.host.store.syncRuns.get(result.runId)).toMatchObject({ status: "succeeded", pages: PAGES, accepted: PAGES * 2 });
});

it("stores the pages held before a failed page, then retries that page from their checkpoint", async () => {
  const id = await createDemoConnection(sh.host, server.base);
  requested.length = 0;
  failOnce = 6;
  const result = await sh.engine.sync(id, "customers", { backoff: { baseDelayMs: 5, maxDelayMs: 20 } });
  expect(result).toMatchObject({ outcome: "succeeded", pages: PAGES, accepted: PAGES * 2, retries: 1 });
  // Page 6 read twice, nothing before it read again.
  expect(requested.slice(0, 7)).toEqual([1, 2, 3, 4, 5, 6, 6]);
  expect(requested.filter((p) => p !== 6)).toEqual(Array.from({ length: PAGES }, (_, i) => i + 1).filter((p) => p !== 6));
  expect((await recordSet(sh.host, id)).map(([key]) => key)).toEqual(allKeys(PAGES * 2));
});
