// Square sync benchmark (not a test): a 10,000-order merchant with its refunds, synced through
// the host's real route runner (worker threads, SQLite store) against the Square emulator on
// 127.0.0.1. Prints requests per record (target ≤ 0.02) and what a user would wait for a
// 100,000-order merchant at 0.2 s a request (Square's round trip, roughly), against the
// design this replaced (one GetPayment per refund, SearchOrders pages of 100).
// Run: pnpm bench (node --import tsx --conditions=source bench/sync.bench.ts).
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { openHost, RouteRunner, silentLogger, syncEngineForHost, workspaceConnectorRegistry, writeTokens, type SyncResult } from "@backfill-io/host";
import { startSquareEmulator } from "@backfill-io/emulators";

const ORDERS = Number(process.env.BENCH_SQUARE_ORDERS ?? 10_000);
const TARGET_ORDERS = 100_000;
const SECONDS_PER_REQUEST = 0.2;
const MERCHANT = "MLBENCHUSD00001";
const CONNECTOR_DIR = join(dirname(fileURLToPath(import.meta.url)), "..");

const fmt = (n: number, digits = 0) => n.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits });
const minutes = (requests: number) => `${fmt((requests * SECONDS_PER_REQUEST) / 60, 1)} min`;

async function main(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), "backfill-square-bench-"));
  const emulator = await startSquareEmulator({
    seed: 7,
    merchants: [{ id: MERCHANT, businessName: "Bench Roastery", currency: "USD", locations: 12, orders: ORDERS, customers: ORDERS / 4 }],
  });
  const runner = new RouteRunner();
  const host = await openHost({
    dataDir,
    logger: silentLogger,
    providerRoutes: [{ match: "https://connect.squareup.com", target: emulator.url }],
    connectors: workspaceConnectorRegistry({ resolveFrom: [], connectorDirs: [CONNECTOR_DIR] }),
  });
  try {
    const issued = emulator.state.issueAccessToken(MERCHANT);
    const connection = await host.store.connections.create({
      connectorKey: "square",
      connectorVersion: "0.1.0",
      settings: { environment: "connect.squareup.com" },
      status: "active",
    });
    const scopes = ["MERCHANT_PROFILE_READ", "CUSTOMERS_READ", "ORDERS_READ", "PAYMENTS_READ"];
    await writeTokens(
      host.store,
      host.vault,
      connection.id,
      {
        accessToken: issued.access_token,
        refreshToken: issued.refresh_token ?? null,
        tokenType: "bearer",
        expiresAt: Date.parse(issued.expires_at),
        refreshExpiresAt: null,
        scopes,
        accountId: MERCHANT,
      },
      { scopes },
    );
    const engine = syncEngineForHost(host, runner);

    const started = performance.now();
    const results: SyncResult[] = [];
    for (const stream of ["customers", "orders", "refunds"]) results.push(await engine.sync(connection.id, stream));
    const elapsedS = (performance.now() - started) / 1000;
    const failed = results.filter((r) => r.outcome !== "succeeded");
    if (failed.length) throw new Error(`sync failed: ${JSON.stringify(failed.map((r) => [r.stream, r.outcome, r.error]))}`);

    const data = emulator.state.snapshot(MERCHANT);
    const requests = emulator.state.requests.filter((r) => r.path.startsWith("/v2/"));
    const records = results.reduce((n, r) => n + r.accepted, 0);
    const perRecord = requests.length / records;
    const refunds = data.refunds.length;
    const sales = data.orders.filter((o) => !o.returns).length;
    // The replaced design: SearchOrders pages of 100, ListLocations on every page, one GetPayment per refund.
    const oldRequests = Math.ceil(data.customers.length / 100) + 2 * Math.ceil(sales / 100) + Math.ceil(refunds / 100) + data.refunds.filter((r) => r.payment_id).length;
    const scale = TARGET_ORDERS / ORDERS;
    const byPath = new Map<string, number>();
    for (const r of requests) {
      const key = r.method === "GET" ? r.path.replace(/\/v2\/(payments|orders|customers|refunds|locations)\/[^/]+$/, "/v2/$1/{id}") : r.path;
      byPath.set(`${r.method} ${key}`, (byPath.get(`${r.method} ${key}`) ?? 0) + 1);
    }

    console.log(
      `\nSquare sync, ${fmt(ORDERS)} orders (${fmt(refunds)} refunds, ${fmt(data.customers.length)} customers, 12 locations) through the route runner against the emulator`,
    );
    console.table([
      { measure: "records stored", value: fmt(records) },
      { measure: "provider requests", value: fmt(requests.length) },
      { measure: "requests per record (target ≤ 0.02)", value: fmt(perRecord, 4) },
      { measure: "wall time here (emulator answers in ~1 ms)", value: `${fmt(elapsedS, 1)} s` },
      { measure: `requests for ${fmt(TARGET_ORDERS)} orders (target ≤ 1,000)`, value: fmt(requests.length * scale) },
      { measure: `what a user would wait: ${fmt(TARGET_ORDERS)} orders at ${SECONDS_PER_REQUEST} s a request (target ≤ 5 min)`, value: minutes(requests.length * scale) },
      {
        measure: `local time here scaled to ${fmt(TARGET_ORDERS)} orders (host and emulator share this process; not provider wait)`,
        value: `${fmt((elapsedS * scale) / 60, 1)} min`,
      },
      { measure: "the replaced design (GetPayment per refund, pages of 100), same merchant", value: `${fmt(oldRequests * scale)} requests, ${minutes(oldRequests * scale)}` },
      { measure: "ratio, replaced / now", value: `${fmt(oldRequests / requests.length, 1)} ×` },
    ]);
    console.table([...byPath].map(([endpoint, count]) => ({ endpoint, count })));
  } finally {
    await runner.close();
    await host.close();
    await emulator.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

await main();
