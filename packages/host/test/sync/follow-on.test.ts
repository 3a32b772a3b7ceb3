// A sync's next pages start in the worker, on the checkpoint the page before them staged,
// without waiting for the main thread (InvokeMessage.checkpointFrom, runner/page-chain.ts),
// only when that page allows it (follow-on.ts); in isolated mode (a child process) the same
// pages run one at a time. Either way the pages read and the records stored are the
// page-by-page loop's.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openHost, silentLogger, staticConnectorRegistry } from "../../src/index.js";
import { RouteRunner } from "../../src/runner/index.js";
import { followOnAllowed } from "../../src/runner/follow-on.js";
import { syncEngineForHost } from "../../src/sync/index.js";
import { buildConnector } from "../runner/build-connector.js";
import { customerPages, DEMO_DIR, demoManifest, json, startServer, type TestServer } from "../runner/support.js";
import { createDemoConnection, openSyncHost, recordSet, type SyncHost } from "./support.js";

describe("followOnAllowed", () => {
  const page = (checkpoints: { stream: string; hasMore: boolean; pauseSeconds?: number }[], more: { connectionStatus?: boolean; webhookDeliveries?: number } = {}) => ({
    checkpoints,
    connectionStatus: more.connectionStatus ?? false,
    webhookDeliveries: more.webhookDeliveries ?? 0,
  });

  it("allows the next page after one that staged its stream's checkpoint alone, with more to read", () => {
    expect(followOnAllowed(page([{ stream: "orders", hasMore: true }]), "orders")).toBe(true);
  });

  it("allows none after a last page, a pause, another stream's checkpoint, a connection status or webhook deliveries", () => {
    expect(followOnAllowed(page([]), "orders")).toBe(false);
    expect(followOnAllowed(page([{ stream: "orders", hasMore: false }]), "orders")).toBe(false);
    expect(followOnAllowed(page([{ stream: "orders", hasMore: true, pauseSeconds: 2 }]), "orders")).toBe(false);
    expect(followOnAllowed(page([{ stream: "refunds", hasMore: true }]), "orders")).toBe(false);
    expect(
      followOnAllowed(
        page([
          { stream: "orders", hasMore: true },
          { stream: "refunds", hasMore: true },
        ]),
        "orders",
      ),
    ).toBe(false);
    expect(followOnAllowed(page([{ stream: "orders", hasMore: true }], { connectionStatus: true }), "orders")).toBe(false);
    expect(followOnAllowed(page([{ stream: "orders", hasMore: true }], { webhookDeliveries: 1 }), "orders")).toBe(false);
  });
});

let server: TestServer;
const requested: number[] = [];
/** Pages whose answer asks for a pause before the next one. */
const pausing = new Set<number>();
const pages = customerPages(6, 3);

beforeAll(async () => {
  server = await startServer((req, res) => {
    const page = Number(new URL(req.url ?? "/", "http://x").searchParams.get("page") ?? 1);
    requested.push(page);
    json(res, 200, { ...pages(page), ...(pausing.has(page) ? { pause: 1 } : {}) });
  });
});
afterAll(() => server.close());

const customerKeys = (n: number) => Array.from({ length: n }, (_, i) => `customer/customer:c${i + 1}`).sort();

describe("a sync in a worker thread", () => {
  let sh: SyncHost;
  beforeAll(async () => void (sh = await openSyncHost(server.port)));
  afterAll(() => sh.close());

  it("runs every page after the first as a follow-on, each once and in order", async () => {
    const id = await createDemoConnection(sh.host, server.base);
    requested.length = 0;
    const before = sh.runner.followOnPages;
    expect(await sh.engine.sync(id, "customers")).toMatchObject({ outcome: "succeeded", pages: 6, accepted: 18 });
    expect(requested).toEqual([1, 2, 3, 4, 5, 6]);
    expect(sh.runner.followOnPages - before).toBe(5);
    expect((await recordSet(sh.host, id)).map(([key]) => key)).toEqual(customerKeys(18));
  });

  it("starts the page after a pause from the main thread, after the pause, on the committed checkpoint", async () => {
    const id = await createDemoConnection(sh.host, server.base);
    requested.length = 0;
    pausing.add(3);
    try {
      const before = sh.runner.followOnPages;
      const started = Date.now();
      expect(await sh.engine.sync(id, "customers")).toMatchObject({ outcome: "succeeded", pages: 6, accepted: 18 });
      expect(Date.now() - started).toBeGreaterThanOrEqual(1_000);
      expect(requested).toEqual([1, 2, 3, 4, 5, 6]);
      // Page 4 followed a page that paused: it was not a follow-on. Page 5 followed page 4 again.
      expect(sh.runner.followOnPages - before).toBe(4);
    } finally {
      pausing.clear();
    }
  });
});

describe("a sync in isolated mode (a child process)", () => {
  const routesRoot = join(DEMO_DIR, "dist-follow-on");
  const dataDir = mkdtempSync(join(tmpdir(), "backfill-follow-on-"));
  let close: () => Promise<void>;
  let run: (id: string) => ReturnType<ReturnType<typeof syncEngineForHost>["sync"]>;
  let host: Awaited<ReturnType<typeof openHost>>;
  let runner: RouteRunner;

  beforeAll(async () => {
    buildConnector(join(DEMO_DIR, "src"), join(routesRoot, "src"));
    const connectors = staticConnectorRegistry([{ key: "demo", manifest: demoManifest(server.port), routesDir: join(routesRoot, "src", "api") }]);
    host = await openHost({ dataDir, connectors, logger: silentLogger });
    runner = new RouteRunner({ isolation: "isolated", mode: "dist", routeTimeoutMs: 15_000, protectedPaths: [dataDir] });
    const engine = syncEngineForHost(host, runner);
    run = (id) => engine.sync(id, "customers");
    close = async () => {
      await runner.close();
      await host.close();
    };
  });
  afterAll(async () => {
    await close();
    rmSync(routesRoot, { recursive: true, force: true });
  });

  it("reads the same pages in the same order, one at a time, and stores the same records", async () => {
    const id = await createDemoConnection(host, server.base);
    requested.length = 0;
    expect(await run(id)).toMatchObject({ outcome: "succeeded", pages: 6, accepted: 18 });
    expect(requested).toEqual([1, 2, 3, 4, 5, 6]);
    // The child chose each next page itself too (it is sent once the page before it answered).
    expect(runner.followOnPages).toBe(5);
    expect((await recordSet(host, id)).map(([key]) => key)).toEqual(customerKeys(18));
  });
});
