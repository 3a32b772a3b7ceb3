// A real host (SQLite in a temp dir) with the demo connector, a route runner and a sync engine.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openHost, silentLogger, staticConnectorRegistry, type Host } from "../../src/index.js";
import { RouteRunner } from "../../src/runner/index.js";
import { syncEngineForHost, type SyncEngine } from "../../src/sync/index.js";
import { DEMO_DIR, demoManifest } from "../runner/support.js";

export type SyncHost = { host: Host; runner: RouteRunner; engine: SyncEngine; dataDir: string; close(): Promise<void> };

export async function openSyncHost(port: number, dataDir = mkdtempSync(join(tmpdir(), "backfill-sync-"))): Promise<SyncHost> {
  const connectors = staticConnectorRegistry([{ key: "demo", manifest: demoManifest(port), routesDir: join(DEMO_DIR, "src", "api") }]);
  const host = await openHost({ dataDir, connectors, logger: silentLogger });
  const runner = new RouteRunner({ routeTimeoutMs: 10_000 });
  return {
    host,
    runner,
    engine: syncEngineForHost(host, runner),
    dataDir,
    async close() {
      await runner.close();
      await host.close();
    },
  };
}

export async function createDemoConnection(host: Host, base: string, id?: string): Promise<string> {
  const row = await host.store.connections.create({ ...(id ? { id } : {}), connectorKey: "demo", connectorVersion: "0.1.0", settings: { base_url: base }, status: "active" });
  return row.id;
}

/** The stored record set of a connection, as comparable (key → payload) pairs. */
export async function recordSet(host: Host, connectionId: string): Promise<[string, string][]> {
  const rows = await host.store.records.list(connectionId, { limit: 1_000_000 });
  return rows.map((r) => [`${r.kind}/${r.idempotency_key}`, r.payload === null ? "" : JSON.stringify(r.payload)] as [string, string]).sort(([a], [b]) => (a < b ? -1 : 1));
}

/** What a second host does once this one's lock looks expired: it takes the stream over. */
export async function takeStreamLockOver(host: Host, connectionId: string, stream: string): Promise<void> {
  const owner = await host.store.streamLocks.owner(connectionId, stream);
  await host.store.streamLocks.unlock(connectionId, stream, owner!);
  if (!(await host.store.streamLocks.tryLock(connectionId, stream, "another-host:1:intruder", 60_000))) throw new Error("could not take the stream lock over");
}
