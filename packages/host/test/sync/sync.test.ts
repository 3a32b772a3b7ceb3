import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { StreamLockedError, startScheduler, type SyncProgress, type SyncResult } from "../../src/sync/index.js";
import { customerPages, json, startServer, type TestServer } from "../runner/support.js";
import { createDemoConnection, openSyncHost, recordSet, type SyncHost } from "./support.js";

let server: TestServer;
let sh: SyncHost;
const pages = customerPages(4, 5);
/** Per test: how the provider misbehaves. */
let fault: ((page: number, count: number) => { status: number; headers?: Record<string, string> } | null) | null = null;
let delayMs = 0;
let hits = 0;
/** Per test: pages whose answer asks the host to pause before the next page. */
let pauseOnPage: number | null = null;
const hitTimes: number[] = [];

beforeAll(async () => {
  server = await startServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://x");
    const page = Number(url.searchParams.get("page") ?? 1);
    hits++;
    hitTimes.push(Date.now());
    const f = fault?.(page, hits);
    if (f) return json(res, f.status, { error: "fault" }, f.headers);
    setTimeout(() => json(res, 200, page === pauseOnPage ? { ...pages(page), pause: 1 } : pages(page)), delayMs);
  });
  sh = await openSyncHost(server.port);
});

afterAll(async () => {
  await sh.close();
  await server.close();
});

const fast = { backoff: { baseDelayMs: 5, maxDelayMs: 50 } };

describe("sync", () => {
  it("pages until hasMore is false, committing records and checkpoints, and records the run", async () => {
    fault = null;
    const id = await createDemoConnection(sh.host, server.base);
    const progress: SyncProgress[] = [];
    const result = await sh.engine.sync(id, "customers", { ...fast, onProgress: (p) => progress.push(p) });
    expect(result).toMatchObject({ outcome: "succeeded", pages: 4, accepted: 20, rejected: 0, retries: 0 });
    expect(progress.map((p) => [p.records, p.done])).toEqual([
      [5, false],
      [10, false],
      [15, false],
      [20, false],
      [20, true],
    ]);
    expect(progress.at(-1)).toMatchObject({ stream: "customers", pages: 4, records: 20, rejected: 0, retries: 0, done: true });
    // Each page's event carries the route's own JSON summary of that page.
    expect(progress.slice(0, 4).every((p) => p.lastPage && typeof p.lastPage === "object")).toBe(true);
    expect(await sh.host.store.records.count(id)).toBe(20);
    expect(await sh.host.store.checkpoints.get(id, "customers")).toEqual({ page: 4 });
    const run = await sh.host.store.syncRuns.get(result.runId);
    expect(run).toMatchObject({ status: "succeeded", outcome: "succeeded", pages: 4, accepted: 20, rejected: 0 });

    // A second run resumes from the checkpoint: one page, nothing duplicated.
    const again = await sh.engine.sync(id, "customers", fast);
    expect(again).toMatchObject({ outcome: "succeeded", pages: 1 });
    expect(await sh.host.store.records.count(id)).toBe(20);
  });

  it("honours Retry-After from a throttled provider and commits nothing from the throttled page", async () => {
    const id = await createDemoConnection(sh.host, server.base);
    let throttled = 0;
    fault = (page) => (page === 2 && throttled++ === 0 ? { status: 429, headers: { "retry-after": "1" } } : null);
    const started = Date.now();
    const result = await sh.engine.sync(id, "customers", fast);
    expect(result).toMatchObject({ outcome: "succeeded", pages: 4, accepted: 20, retries: 1 });
    expect(Date.now() - started).toBeGreaterThanOrEqual(1_000);
    expect(await sh.host.store.records.count(id)).toBe(20);
    expect((await sh.host.store.syncRuns.get(result.runId))?.retries).toBe(1);
  });

  it("waits the pause a committed page asks for before calling for the next one", async () => {
    fault = null;
    pauseOnPage = 2;
    const id = await createDemoConnection(sh.host, server.base);
    const first = hitTimes.length;
    const result = await sh.engine.sync(id, "customers", fast);
    pauseOnPage = null;
    expect(result).toMatchObject({ outcome: "succeeded", pages: 4, accepted: 20, retries: 0 });
    const times = hitTimes.slice(first);
    expect(times).toHaveLength(4);
    // Page 2 committed, then the host waited at least a second before asking for page 3.
    expect(times[2]! - times[1]!).toBeGreaterThanOrEqual(1_000);
  });

  it("retries transient failures with backoff and gives up after maxAttempts", async () => {
    const id = await createDemoConnection(sh.host, server.base);
    fault = (page) => (page === 3 ? { status: 500 } : null);
    const progress: SyncProgress[] = [];
    const result = await sh.engine.sync(id, "customers", { ...fast, maxAttempts: 3, onProgress: (p) => progress.push(p) });
    expect(result).toMatchObject({ outcome: "failed", pages: 2, accepted: 10, retries: 2 });
    // A failed run ends its progress stream too, exactly once, with the final counts.
    expect(progress.filter((p) => p.done)).toEqual([expect.objectContaining({ pages: 2, records: 10, retries: 2, done: true })]);
    expect(progress.at(-1)?.done).toBe(true);
    expect(result.error).toContain("gave up after 3 attempts");
    expect(await sh.host.store.checkpoints.get(id, "customers")).toEqual({ page: 3 });
    fault = null;
  });

  it("stops with reauth_required and marks the connection", async () => {
    const id = await createDemoConnection(sh.host, server.base);
    const result = await sh.engine.sync(id, "secured", fast);
    expect(result.outcome).toBe("reauth_required");
    expect(await sh.host.store.connections.get(id)).toMatchObject({ status: "reauth_required", status_reason: "missing_token" });
    expect((await sh.host.store.syncRuns.get(result.runId))?.outcome).toBe("reauth_required");
  });

  it("never runs two syncs of the same stream on one connection at once", async () => {
    fault = null;
    delayMs = 100;
    const id = await createDemoConnection(sh.host, server.base);
    const first = sh.engine.sync(id, "customers", fast);
    await new Promise((r) => setTimeout(r, 50));
    await expect(sh.engine.sync(id, "customers", fast)).rejects.toBeInstanceOf(StreamLockedError);
    expect((await first).outcome).toBe("succeeded");
    delayMs = 0;
    expect(await recordSet(sh.host, id)).toHaveLength(20);
  });

  it("can be cancelled", async () => {
    delayMs = 50;
    const id = await createDemoConnection(sh.host, server.base);
    const controller = new AbortController();
    const result = await sh.engine.sync(id, "customers", { ...fast, signal: controller.signal, onProgress: () => controller.abort() });
    delayMs = 0;
    expect(result).toMatchObject({ outcome: "cancelled", pages: 1 });
    expect((await sh.host.store.syncRuns.get(result.runId))?.status).toBe("cancelled");
  });

  it("schedules syncs of every stream of active connections", async () => {
    fault = null;
    const id = await createDemoConnection(sh.host, server.base);
    const outcomes: string[] = [];
    const scheduler = startScheduler(sh.host.store, sh.engine, { intervalMs: 60_000, onResult: (r) => r.connectionId === id && outcomes.push(`${r.stream}:${r.outcome}`) });
    await scheduler.tick();
    await scheduler.stop();
    expect(outcomes).toEqual(["customers:succeeded", "secured:reauth_required"]);
    expect(await sh.host.store.records.count(id)).toBe(20);
  });

  it("scheduler stop() cancels the sync in flight: shutdown waits for one page at most", async () => {
    fault = null;
    delayMs = 300;
    // Its own database, so the tick syncs only this connection.
    const own = await openSyncHost(server.port);
    try {
      const id = await createDemoConnection(own.host, server.base);
      const results: SyncResult[] = [];
      const scheduler = startScheduler(own.host.store, own.engine, { intervalMs: 60_000, onResult: (r) => results.push(r) });
      const before = hits;
      const ticking = scheduler.tick();
      while (hits === before) await new Promise((r) => setTimeout(r, 5));
      const stopping = Date.now();
      await scheduler.stop();
      await ticking;
      // The page in flight finishes and commits; the three after it are never asked for.
      expect(Date.now() - stopping).toBeLessThan(2 * delayMs);
      expect(hits - before).toBe(1);
      expect(results).toEqual([expect.objectContaining({ connectionId: id, stream: "customers", outcome: "cancelled", pages: 1, accepted: 5 })]);
      expect(await own.host.store.records.count(id)).toBe(5);
      expect((await own.host.store.syncRuns.list({ connectionId: id }))[0]).toMatchObject({ status: "cancelled" });
    } finally {
      delayMs = 0;
      await own.close();
    }
  });
});
