// Queue test support: a host on SQLite with the demo connector reduced to its paged
// `customers` stream (the one that needs no OAuth token), a provider whose data differs per
// connection (base_url ends in /c/<n>), and a worker's child process.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ServerResponse } from "node:http";
import { openHost, silentLogger, staticConnectorRegistry, type Host } from "../../src/index.js";
import { RouteRunner } from "../../src/runner/index.js";
import { DEMO_DIR, demoManifest, json, startServer, type TestServer } from "../runner/support.js";

export function queueManifest(port: number) {
  const manifest = demoManifest(port);
  return { ...manifest, streams: manifest.streams.filter((s) => s.name === "customers") };
}

export type QueueHost = { host: Host; runner: RouteRunner; dataDir: string; close(): Promise<void> };

export async function openQueueHost(port: number, dataDir = mkdtempSync(join(tmpdir(), "backfill-queue-"))): Promise<QueueHost> {
  const connectors = staticConnectorRegistry([{ key: "demo", manifest: queueManifest(port), routesDir: join(DEMO_DIR, "src", "api") }]);
  const host = await openHost({ dataDir, connectors, logger: silentLogger });
  const runner = new RouteRunner({ routeTimeoutMs: 10_000 });
  return {
    host,
    runner,
    dataDir,
    async close() {
      await runner.close();
      await host.close();
    },
  };
}

/** Connection n has `pagesOf(n)` pages of `perPage` customers, ids unique to it. */
export function perConnectionPages(pagesOf: (n: number) => number, perPage: number) {
  return (n: number, page: number) => ({
    customers: Array.from({ length: perPage }, (_, i) => {
      const id = `n${n}-c${(page - 1) * perPage + i + 1}`;
      return { id, name: `Customer ${id}`, email: `${id}@example.com` };
    }),
    next: page < pagesOf(n) ? page + 1 : null,
  });
}

export type PagedProvider = TestServer & { served: Map<string, number> };

/** GET /c/<n>/customers?page=p; `intercept` may answer instead (a 429, a delay). */
export async function startPagedProvider(
  page: (n: number, page: number) => unknown,
  intercept?: (n: number, page: number, res: ServerResponse) => boolean,
): Promise<PagedProvider> {
  const served = new Map<string, number>();
  const server = await startServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://x");
    const match = /^\/c\/(\d+)\/customers$/.exec(url.pathname);
    if (!match) return json(res, 404, { error: "no such path" });
    const n = Number(match[1]);
    const p = Number(url.searchParams.get("page") ?? 1);
    // Every request counts, answered here or by `intercept`.
    served.set(`${n}:${p}`, (served.get(`${n}:${p}`) ?? 0) + 1);
    if (intercept?.(n, p, res)) return;
    json(res, 200, page(n, p));
  });
  return Object.assign(server, { served });
}

export async function createPagedConnection(host: Host, base: string, n: number): Promise<string> {
  const row = await host.store.connections.create({ id: `conn_${n}`, connectorKey: "demo", connectorVersion: "0.1.0", settings: { base_url: `${base}/c/${n}` }, status: "active" });
  return row.id;
}

/** The expected record set of connection n: sorted `customer/<id>` keys. */
export function expectedKeys(n: number, pages: number, perPage: number): string[] {
  return Array.from({ length: pages * perPage }, (_, i) => `customer/customer:n${n}-c${i + 1}`).sort();
}

export async function storedKeys(host: Host, connectionId: string): Promise<string[]> {
  const rows = await host.store.records.list(connectionId, { limit: 1_000_000 });
  return rows.map((r) => `${r.kind}/${r.idempotency_key}`).sort();
}
