// A merchant reconnects while a backfill runs. Shopify (like the emulator) revokes the previous
// token when it issues a new grant, so the page in flight gets a 401 for the old token. The
// connection has just been authorized again: marking it reauth_required would undo the merchant's
// reconnect and stop the sync. The page is retried with the new token instead; a 401 with no new
// grant still stops the sync and marks the connection.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { defineConnector } from "@backfill-io/sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openHost, silentLogger, staticConnectorRegistry, writeTokens, type Host } from "../../src/index.js";
import { RouteRunner } from "../../src/runner/index.js";
import { syncEngineForHost, type SyncEngine } from "../../src/sync/index.js";
import { customerPages, DEMO_DIR, demoManifest, json, startServer, type TestServer } from "../runner/support.js";

const pages = customerPages(4, 5);
let server: TestServer;
let host: Host;
let runner: RouteRunner;
let engine: SyncEngine;
/** The one token the provider accepts (a new grant revokes the previous one). */
let activeToken = "";
/** Runs when the provider sees `page` for the first time: the test's reconnect or revocation. */
let onFirstSight: ((page: number) => Promise<void>) | null = null;
const seen = new Set<number>();

beforeAll(async () => {
  server = await startServer((req, res) => {
    const page = Number(new URL(req.url ?? "/", "http://x").searchParams.get("page") ?? 1);
    const answer = () =>
      req.headers.authorization === `Bearer ${activeToken}` ? json(res, 200, pages(page)) : json(res, 401, { errors: "[API] Invalid API key or access token" });
    if (seen.has(page) || !onFirstSight) return answer();
    seen.add(page);
    void onFirstSight(page).then(answer);
  });
  const base = demoManifest(server.port);
  const manifest = defineConnector({ ...base, streams: [...base.streams, { name: "oauth_customers", route: "/sync/oauth-customers", entity: "customer" }] });
  host = await openHost({
    dataDir: mkdtempSync(join(tmpdir(), "backfill-sync-")),
    logger: silentLogger,
    connectors: staticConnectorRegistry([{ key: "demo", manifest, routesDir: join(DEMO_DIR, "src", "api") }]),
  });
  runner = new RouteRunner({ routeTimeoutMs: 10_000 });
  engine = syncEngineForHost(host, runner);
});

afterAll(async () => {
  await runner.close();
  await host.close();
  await server.close();
});

async function grant(connectionId: string, accessToken: string): Promise<void> {
  await writeTokens(
    host.store,
    host.vault,
    connectionId,
    { accessToken, refreshToken: null, tokenType: "bearer", expiresAt: host.store.now() + 24 * 3600_000, refreshExpiresAt: null, scopes: ["customers.read"], accountId: null },
    { scopes: ["customers.read"] },
  );
  activeToken = accessToken;
}

async function connection(): Promise<string> {
  const row = await host.store.connections.create({ connectorKey: "demo", connectorVersion: "0.1.0", settings: { base_url: server.base }, status: "active" });
  seen.clear();
  await grant(row.id, `old-${row.id}`);
  return row.id;
}

const fast = { backoff: { baseDelayMs: 5, maxDelayMs: 50 } };

describe("a reconnect during a sync", () => {
  it("retries the page with the new grant: the connection stays active and every record arrives", async () => {
    const id = await connection();
    // Page 3 reaches the provider just after the merchant reconnected: the old token is dead.
    onFirstSight = async (page) => {
      if (page === 3) await grant(id, `new-${id}`);
    };
    const result = await engine.sync(id, "oauth_customers", fast);
    expect(result).toMatchObject({ outcome: "succeeded", pages: 4, accepted: 20, retries: 1 });
    expect(await host.store.connections.get(id)).toMatchObject({ status: "active" });
    expect(await host.store.records.count(id)).toBe(20);
    const events = await host.store.authWebhookDeliveries.list({ connectionId: id });
    expect(events.map((e) => e.event_type)).not.toContain("connection.reauth_required");
  });

  it("still stops and marks the connection when the token is revoked with no new grant", async () => {
    const id = await connection();
    onFirstSight = async (page) => {
      if (page === 2) activeToken = "revoked-by-the-merchant";
    };
    const result = await engine.sync(id, "oauth_customers", fast);
    expect(result).toMatchObject({ outcome: "reauth_required", pages: 1, accepted: 5 });
    expect(await host.store.connections.get(id)).toMatchObject({ status: "reauth_required", status_reason: "revoked" });
  });
});
