// Large provider files: a JSONL result generated on the fly by a local server, downloaded
// through the runner (Files.download) and read a slice per page by the bulk fixture's sync
// route (Files.readLines, no ingest: the file path alone), against a plain readline over the
// same file. BENCH_FILE_MB sets the size (default 1024).
import { createReadStream, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { openHost, silentLogger, staticConnectorRegistry } from "../src/index.js";
import { RouteRunner } from "../src/runner/index.js";
import { hostConnectionServices } from "../src/app/runner-services.js";
import { syncEngineForHost } from "../src/sync/index.js";
import { startServer } from "../test/runner/support.js";
import { BULK_ROUTES, bulkManifest } from "../test/files/support.js";
import { peakRssGrowthMb } from "./memory.js";

const MB = 1024 * 1024;
/** One MB of 1 KB JSONL lines. */
const CHUNK = Buffer.from(Array.from({ length: 1024 }, (_, i) => `{"id":"c${i}","name":"${"x".repeat(1024 - 21 - String(i).length)}"}\n`).join(""));

export type FilesBench = { sizeMb: number; downloadMbps: number; readMbps: number; readlineMbps: number; peakRssMb: number; readlinePeakRssMb: number; seconds: number };

export async function filesBench(sizeMb = Number(process.env.BENCH_FILE_MB ?? 1024)): Promise<FilesBench> {
  const started = performance.now();
  const server = await startServer((_req, res) => {
    res.writeHead(200, { "content-type": "application/x-ndjson", "content-length": String(sizeMb * MB) });
    let sent = 0;
    const pump = () => {
      while (sent < sizeMb) {
        sent++;
        if (!res.write(CHUNK)) return void res.once("drain", pump);
      }
      res.end();
    };
    pump();
  });
  const dataDir = mkdtempSync(join(tmpdir(), "backfill-bench-files-"));
  const connectors = staticConnectorRegistry([{ key: "bulk", manifest: bulkManifest(server.port), routesDir: BULK_ROUTES }]);
  const host = await openHost({ dataDir, connectors, logger: silentLogger });
  const runner = new RouteRunner({ routeTimeoutMs: 30 * 60_000 });
  try {
    const row = await host.store.connections.create({
      connectorKey: "bulk",
      connectorVersion: "0.1.0",
      settings: { base_url: server.base, lines_per_page: 4000, ingest: false },
      status: "active",
    });
    const { services } = await hostConnectionServices(host, row.id);
    let fileId = "";
    let downloadMs = 0;
    let readMs = 0;
    const peakRssMb = await peakRssGrowthMb(async () => {
      const t0 = performance.now();
      const result = await runner.runRoute({
        routesDir: BULK_ROUTES,
        services,
        route: "/files/probe",
        input: { rawBody: JSON.stringify({ url: `${server.base}/bulk/result.jsonl`, maxBytes: 2 * 1024 * MB }) },
      });
      downloadMs = performance.now() - t0;
      fileId = (JSON.parse(result.bodyText) as { fileId: string }).fileId;
      if (!fileId) throw new Error(`download failed: ${result.bodyText}`);
    });
    const path = join(host.files.store.dir, row.id, "bulk_customers", fileId);
    let readlineMs = 0;
    let readlineLines = 0;
    const readlinePeakRssMb = await peakRssGrowthMb(async () => {
      const t0 = performance.now();
      for await (const line of createInterface({ input: createReadStream(path), crlfDelay: Infinity })) if (line) readlineLines++;
      readlineMs = performance.now() - t0;
    });
    await host.store.transaction((tx) => tx.commitPage(row.id, "bulk_customers", [], { fileId, offset: 0 }));
    const readPeak = await peakRssGrowthMb(async () => {
      const t0 = performance.now();
      const synced = await syncEngineForHost(host, runner).sync(row.id, "bulk_customers");
      readMs = performance.now() - t0;
      if (synced.outcome !== "succeeded") throw new Error(`bulk sync ${synced.outcome}: ${synced.error}`);
    });
    if (readlineLines !== sizeMb * 1024) throw new Error(`readline saw ${readlineLines} lines`);
    return {
      sizeMb,
      downloadMbps: sizeMb / (downloadMs / 1000),
      readMbps: sizeMb / (readMs / 1000),
      readlineMbps: sizeMb / (readlineMs / 1000),
      peakRssMb: Math.max(peakRssMb, readPeak),
      readlinePeakRssMb,
      seconds: (performance.now() - started) / 1000,
    };
  } finally {
    await runner.close();
    await host.close();
    await server.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
