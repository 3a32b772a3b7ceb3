// A bulk stream read across pages through the sync engine on a real Host: a second Host
// on the same data dir resumes reading the same file at the committed offset (the file is
// downloaded once), and the stream's end removes it; old files are purged.
import { mkdtempSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { openHost, silentLogger, staticConnectorRegistry, type Host } from "../../src/index.js";
import { FileStore } from "../../src/files/index.js";
import { RouteRunner } from "../../src/runner/index.js";
import { syncEngineForHost } from "../../src/sync/index.js";
import { startServer, type TestServer } from "../runner/support.js";
import { recordSet } from "../sync/support.js";
import { BULK_ROUTES, bulkManifest } from "./support.js";

const LINES = 250;
const JSONL = Array.from({ length: LINES }, (_, i) => JSON.stringify({ id: `c${i}`, name: `Zoë ${i} 東京` })).join("\n") + "\n";
let server: TestServer;
const dataDir = mkdtempSync(join(tmpdir(), "backfill-files-resume-"));

beforeAll(async () => {
  server = await startServer((req, res) => {
    if (new URL(req.url ?? "/", "http://x").pathname === "/bulk/result.jsonl") {
      res.writeHead(200, { "content-type": "application/x-ndjson" });
      return void res.end(JSONL);
    }
    res.writeHead(404).end();
  });
});
afterAll(() => server.close());

async function open(): Promise<{ host: Host; runner: RouteRunner; close(): Promise<void> }> {
  const connectors = staticConnectorRegistry([{ key: "bulk", manifest: bulkManifest(server.port), routesDir: BULK_ROUTES }]);
  const host = await openHost({ dataDir, connectors, logger: silentLogger });
  const runner = new RouteRunner({ routeTimeoutMs: 20_000 });
  return { host, runner, close: async () => (await runner.close(), await host.close()) };
}

it("resumes the same file at the committed offset after a restart, with exactly the source's records, and removes it when the stream ends", async () => {
  const first = await open();
  const row = await first.host.store.connections.create({
    connectorKey: "bulk",
    connectorVersion: "0.1.0",
    settings: { base_url: server.base, lines_per_page: 40 },
    status: "active",
  });
  const stopped = await syncEngineForHost(first.host, first.runner).sync(row.id, "bulk_customers", { maxPages: 3 });
  expect(stopped).toMatchObject({ outcome: "succeeded", pages: 3, accepted: 120 });
  const checkpoint = (await first.host.store.checkpoints.get(row.id, "bulk_customers")) as { fileId: string; offset: number };
  expect(checkpoint.offset).toBe(Buffer.byteLength(JSONL.split("\n").slice(0, 120).join("\n")) + 1);
  await first.close();

  // A new Host on the same data dir: the file is still there and reading continues at the offset.
  const second = await open();
  expect(await second.host.files.store.list(row.id, "bulk_customers")).toEqual([checkpoint.fileId]);
  const resumed = await syncEngineForHost(second.host, second.runner).sync(row.id, "bulk_customers");
  expect(resumed).toMatchObject({ outcome: "succeeded", pages: Math.ceil((LINES - 120) / 40), accepted: LINES - 120 });
  expect(server.requests.filter((r) => r.url === "/bulk/result.jsonl")).toHaveLength(1);
  const ids = (await recordSet(second.host, row.id)).map(([key]) => key);
  expect(ids).toEqual(Array.from({ length: LINES }, (_, i) => `customer/customer:c${i}`).sort());
  // The stream's sync ended: its files are gone.
  expect(readdirSync(join(dataDir, "files", row.id))).toEqual([]);
  await second.close();
}, 60_000);

it("a page that fails after downloading leaves no file behind; files past the retention are purged", async () => {
  const dir = mkdtempSync(join(tmpdir(), "backfill-files-purge-"));
  const store = new FileStore({ dir });
  const partial = await store.createPartial("conn_a", "bulk_customers");
  const { writeFileSync } = await import("node:fs");
  writeFileSync(partial.partialPath, "{}\n");
  await store.complete(partial);
  expect(await store.purgeExpired()).toBe(0);
  const later = new FileStore({ dir, now: () => Date.now() + 8 * 24 * 3600_000 });
  expect(await later.purgeExpired()).toBe(1);
  expect(await store.list("conn_a", "bulk_customers")).toEqual([]);

  const h = await open();
  const row = await h.host.store.connections.create({ connectorKey: "bulk", connectorVersion: "0.1.0", settings: { base_url: server.base }, status: "active" });
  const result = await h.runner.runRoute({
    routesDir: BULK_ROUTES,
    services: (await (await import("../../src/app/runner-services.js")).hostConnectionServices(h.host, row.id)).services,
    route: "/files/probe",
    input: { rawBody: JSON.stringify({ url: `${server.base}/bulk/result.jsonl`, fail: true }) },
  });
  expect(result.status).toBe(502);
  expect(result.staged.downloadedFiles).toHaveLength(1);
  await h.close();
}, 30_000);
