// Host benchmarks (not tests): each figure is a ratio against a baseline measured in
// the same run on the same machine. Run: pnpm bench (node --import tsx --conditions=source).
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { OAuth } from "@backfill-io/sdk";
import { bindHost, type HostBinding } from "@backfill-io/sdk/host";
import { RouteRunner } from "../src/runner/index.js";
import { DEMO_DIR, demoManifest, fakeServices } from "../test/runner/support.js";
import { createDemoConnection, openSyncHost, type SyncHost } from "../test/sync/support.js";
import { buildConnector } from "../test/runner/build-connector.js";
import { hostConnectionServices } from "../src/app/runner-services.js";
import { writeTokens } from "../src/tokens/token-store.js";
import { filesBench } from "./files.js";
import { peakRssGrowthMb } from "./memory.js";
import { startProviderProcess } from "./provider-process.js";
import { storeBench } from "./store.js";
import { queueBench } from "./queue.js";

const rows: [string, string, string, string][] = [];
/** Plain-loop and sync runs alternated for each connector-sized throughput row. */
const THROUGHPUT_PAIRS = 3;
const fmt = (n: number, unit: string) => `${n < 10 ? n.toFixed(2) : Math.round(n).toLocaleString("en-US")} ${unit}`;

async function bridge(): Promise<void> {
  const N = 5_000;
  const runner = new RouteRunner();
  const services = fakeServices(1);
  const call = (count: number) => runner.runRoute({ connectorDir: DEMO_DIR, services, route: "/probe", input: { rawBody: JSON.stringify({ action: "tokens", count }) } });
  await call(10); // warm the worker
  const empty = await call(0);
  const full = await call(N);
  const perCallUs = ((full.durationMs - empty.durationMs) * 1000) / N;
  await runner.close();

  const binding = { manifest: demoManifest(1), accessToken: () => "cached-token-value" } as unknown as HostBinding;
  const unbind = bindHost(binding);
  const t0 = performance.now();
  let total = 0;
  for (let i = 0; i < N * 20; i++) total += OAuth.accessToken().length;
  const directUs = ((performance.now() - t0) * 1000) / (N * 20);
  unbind();
  if (total === 0) throw new Error("unreachable");
  rows.push(["bridge round trip (a cached OAuth.accessToken)", fmt(perCallUs, "µs/call"), fmt(directUs, "µs/call direct"), `${fmt(perCallUs / directUs, "×")}`]);
}

/** OAuth.accessToken answered from the vault (TokenManager, no refresh due): through the bridge vs direct. */
async function vaultToken(): Promise<void> {
  const N = 2_000;
  const sh = await openSyncHost(1);
  const runner = new RouteRunner();
  try {
    const id = await createDemoConnection(sh.host, "http://127.0.0.1:1");
    await writeTokens(
      sh.host.store,
      sh.host.vault,
      id,
      {
        accessToken: "bench-access-token-value",
        refreshToken: null,
        tokenType: "bearer",
        expiresAt: Date.now() + 3_600_000,
        refreshExpiresAt: null,
        scopes: ["customers.read"],
        accountId: null,
      },
      { scopes: ["customers.read"] },
    );
    const { services } = await hostConnectionServices(sh.host, id);
    const call = (count: number) => runner.runRoute({ connectorDir: DEMO_DIR, services, route: "/probe", input: { rawBody: JSON.stringify({ action: "tokens", count }) } });
    await call(10);
    const empty = await call(0);
    const full = await call(N);
    const bridgedUs = ((full.durationMs - empty.durationMs) * 1000) / N;
    const t0 = performance.now();
    for (let i = 0; i < N; i++) await sh.host.tokens.accessToken(id, { minTtlSeconds: 60 });
    const directUs = ((performance.now() - t0) * 1000) / N;
    rows.push(["OAuth.accessToken from the vault, via the bridge", fmt(bridgedUs, "µs/call"), fmt(directUs, "µs/call TokenManager direct"), fmt(bridgedUs / directUs, "×")]);
  } finally {
    await runner.close();
    await sh.close();
  }
}

type ProviderPage = { customers: { id: string; name: string; email: string }[]; next: number | null };

/** The baseline every sync row is measured against: fetch each page and insert its records into the same store. */
async function plainFetchInsert(store: SyncHost["host"]["store"], base: string, connectionId: string): Promise<void> {
  for (let page = 1; ; page++) {
    const body = (await (await fetch(`${base}/customers?page=${page}`)).json()) as ProviderPage;
    const items = body.customers.map((c) => ({ idempotencyKey: `customer:${c.id}`, payload: { customer_id: c.id, display_name: c.name, email: c.email } }));
    await store.commitPage(connectionId, "customers", [{ kind: "customer", items }], { page: body.next ?? page });
    if (body.next === null) break;
  }
}

type Throughput = { bridged: number; plain: number; peakMb: number; plainPeakMb: number; ratios: number[] };

const median = (values: readonly number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

/**
 * Records per second of the sync engine and of the plain loop over the same pages, in `rounds`
 * pairs (plain, then sync, each on a new connection): on a machine whose speed drifts between
 * runs (±15% on a 2-core VM), a pair's ratio holds still where one run's figure does not.
 * Figures are the medians; `ratios` holds each pair's.
 */
async function throughput(pagesCount: number, perPage: number, build: "source" | "built" = "source", rounds = 1): Promise<Throughput> {
  const provider = await startProviderProcess(pagesCount, perPage);
  const sh = build === "built" ? await builtSyncHost(provider.port) : await openSyncHost(provider.port);
  try {
    // Both sides warm: the plain loop once before it is timed, and the engine synced twice
    // (as a server or queue worker has): the measured connection's first page takes the
    // spare worker, started while the last one ran.
    if (build === "built") {
      await plainFetchInsert(sh.host.store, provider.base, await createDemoConnection(sh.host, provider.base));
      for (let warm = 0; warm < 2; warm++) await sh.engine.sync(await createDemoConnection(sh.host, provider.base), "customers");
    }
    const plains: number[] = [];
    const bridgeds: number[] = [];
    let peakMb = 0;
    let plainPeakMb = 0;
    for (let round = 0; round < rounds; round++) {
      const plainId = await createDemoConnection(sh.host, provider.base);
      const t0 = performance.now();
      plainPeakMb = Math.max(plainPeakMb, await peakRssGrowthMb(() => plainFetchInsert(sh.host.store, provider.base, plainId)));
      plains.push((pagesCount * perPage) / ((performance.now() - t0) / 1000));

      const id = await createDemoConnection(sh.host, provider.base);
      const t1 = performance.now();
      let accepted = 0;
      peakMb = Math.max(
        peakMb,
        await peakRssGrowthMb(async () => {
          const result = await sh.engine.sync(id, "customers");
          if (result.outcome !== "succeeded") throw new Error(`sync ${result.outcome}: ${result.error ?? ""}`);
          accepted = result.accepted;
        }),
      );
      bridgeds.push(accepted / ((performance.now() - t1) / 1000));
    }
    return { bridged: median(bridgeds), plain: median(plains), peakMb, plainPeakMb, ratios: bridgeds.map((b, i) => b / plains[i]!) };
  } finally {
    await sh.close();
    await provider.close();
  }
}

type HostModule = typeof import("../src/index.js");

/**
 * The host as built (dist, route workers without tsx) with the demo connector's routes
 * built to JavaScript: how `backfill sync` runs in production, where a worker per page
 * used to be the cost.
 */
async function builtSyncHost(port: number, spareWorker = true): Promise<SyncHost> {
  const built = (await import(pathToFileURL(fileURLToPath(new URL("../dist/index.js", import.meta.url))).href)) as HostModule;
  buildConnector(join(DEMO_DIR, "src"), join(DEMO_DIR, "dist", "src"));
  const dataDir = mkdtempSync(join(tmpdir(), "backfill-bench-"));
  const connectors = built.staticConnectorRegistry([{ key: "demo", manifest: demoManifest(port), routesDir: join(DEMO_DIR, "dist", "src", "api") }]);
  const host = await built.openHost({ dataDir, connectors, logger: built.silentLogger });
  // As `backfill serve` and `backfill worker` run it (packages/cli/src/context.ts).
  const runner = new built.RouteRunner({ mode: "dist", routeTimeoutMs: 10_000, spareWorker });
  return {
    host,
    runner,
    engine: built.syncEngineForHost(host, runner),
    dataDir,
    async close() {
      await runner.close();
      await host.close();
      rmSync(join(DEMO_DIR, "dist"), { recursive: true, force: true });
    },
  };
}

/**
 * Host CPU per page (all threads of this process: main, route worker, V8's GC and compiler
 * threads) of a sync, against a plain fetch + insert of the same pages; and route workers
 * started per page. The provider runs in a process of its own (its CPU is not the host's),
 * and the figure is the steady state: from the first page's commit on (the first page pays
 * the worker's start, counted in its own row), after a warm-up sync of the same pages.
 */
async function cpuPerPage(pagesCount: number, perPage: number, build: "source" | "built" = "source"): Promise<void> {
  const provider = await startProviderProcess(pagesCount, perPage);
  // No spare worker: its start would run inside the measured pages.
  const sh = build === "built" ? await builtSyncHost(provider.port, false) : await openSyncHost(provider.port);
  try {
    const plainLoop = async (connectionId: string) => plainFetchInsert(sh.host.store, provider.base, connectionId);
    await plainLoop(await createDemoConnection(sh.host, provider.base));
    await sh.engine.sync(await createDemoConnection(sh.host, provider.base), "customers");

    const plainCpu = process.cpuUsage();
    await plainLoop(await createDemoConnection(sh.host, provider.base));
    const plainMs = cpuMs(process.cpuUsage(plainCpu)) / pagesCount;

    const id = await createDemoConnection(sh.host, provider.base);
    const workersBefore = sh.runner.workersStarted;
    const roundTripsBefore = bridgeRoundTrips(sh.runner);
    const followOnBefore = sh.runner.followOnPages;
    // The connection's worker is new: V8 compiles the route's and the SDK's code in it over its
    // first pages. Steady state, as a backfill of thousands of pages runs, is from here on.
    const warmPages = Math.floor(pagesCount / 5);
    let afterWarmPages: NodeJS.CpuUsage | undefined;
    const result = await sh.engine.sync(id, "customers", { onProgress: (p) => void (p.pages === warmPages && !afterWarmPages && (afterWarmPages = process.cpuUsage())) });
    if (result.outcome !== "succeeded" || !afterWarmPages) throw new Error(`sync ${result.outcome}: ${result.error ?? ""}`);
    const syncMs = cpuMs(process.cpuUsage(afterWarmPages)) / (result.pages - warmPages);
    const workersPerPage = (sh.runner.workersStarted - workersBefore) / result.pages;
    const roundTripsPerPage = (bridgeRoundTrips(sh.runner) - roundTripsBefore) / result.pages;
    const followOnShare = (sh.runner.followOnPages - followOnBefore) / result.pages;
    rows.push([
      `host CPU per page, ${perPage} records/page (pages ${Math.floor(pagesCount / 5) + 1}–${pagesCount} of a new connection, ${build} host; target ≤ ${perPage <= 10 ? 5 : 10} ms)`,
      fmt(syncMs, "ms/page"),
      fmt(plainMs, "ms/page plain fetch+insert"),
      fmt(syncMs / Math.max(plainMs, 0.01), "×"),
    ]);
    rows.push([
      `bridge round trips per page, ${perPage} records/page (${build} host)`,
      fmt(roundTripsPerPage, "calls/page"),
      "4 SDK calls in the demo route's page",
      fmt(roundTripsPerPage / 4, "×"),
    ]);
    rows.push([
      `pages the worker started itself (on the checkpoint the page before staged), ${perPage} records/page (${build} host)`,
      `${(followOnShare * 100).toFixed(1)}% of pages`,
      "0%: the main thread starts every page",
      "-",
    ]);
    rows.push([
      `route workers started per page, ${perPage} records/page (${build} host)`,
      `${workersPerPage.toFixed(3)} workers/page`,
      `${(1 / result.pages).toFixed(3)} workers/page: one per sync`,
      fmt(workersPerPage * result.pages, "×"),
    ]);
  } finally {
    await sh.close();
    await provider.close();
  }
}

const cpuMs = (u: NodeJS.CpuUsage) => (u.user + u.system) / 1000;

/** The runner's count of SDK calls that waited for an answer (NaN on a runner that does not count them). */
const bridgeRoundTrips = (runner: RouteRunner) => (runner as { bridgeRoundTrips?: number }).bridgeRoundTrips ?? NaN;

/**
 * The rows, by name: `--only <substring>` (repeatable) runs the matching ones, e.g. while
 * profiling one row (`node --cpu-prof --import tsx --conditions=source bench/bench.ts --only built`).
 */
const benchmarks: [string, () => Promise<void>][] = [
  ["bridge", bridge],
  ["cpu-10-source", () => cpuPerPage(1_000, 10)],
  ["cpu-100-source", () => cpuPerPage(300, 100)],
  ["cpu-10-built", () => cpuPerPage(1_000, 10, "built")],
  ["cpu-100-built", () => cpuPerPage(300, 100, "built")],
  ["vault-token", vaultToken],
  // Connector-sized pages (Shopify's paged path holds ~10 records a page, Square's 100), over
  // 2,000 and 500 pages (a 100k-order backfill is 10,000 pages of 10): a new connection's worker
  // compiles its code over the first pages (see cpuPerPage), which a 10,000-record run overweights.
  ...(
    [
      [2_000, 10],
      [500, 100],
    ] as const
  ).map(([pages, perPage]): [string, () => Promise<void>] => [
    `throughput-${perPage}`,
    async () => {
      const sized = await throughput(pages, perPage, "built", THROUGHPUT_PAIRS);
      const ratios = sized.ratios.map((r) => r.toFixed(2)).join(", ");
      rows.push([
        `sync throughput, ${perPage} records/page, ${(pages * perPage).toLocaleString("en-US")} records (a new connection on a built host that synced others; median of ${THROUGHPUT_PAIRS} pairs, each pair's ratio: ${ratios}; target ≥ 0.9× plain)`,
        fmt(sized.bridged, "records/s"),
        fmt(sized.plain, "records/s plain fetch+insert"),
        fmt(median(sized.ratios), "×"),
      ]);
    },
  ]),
  [
    "throughput-200",
    async () => {
      const t = await throughput(50, 200);
      rows.push(["sync throughput: provider → route (worker) → store", fmt(t.bridged, "records/s"), fmt(t.plain, "records/s plain fetch+insert"), fmt(t.bridged / t.plain, "×")]);
    },
  ],
  [
    "throughput-100k",
    async () => {
      const big = await throughput(100, 1_000);
      rows.push(["100,000-record sync: throughput", fmt(big.bridged, "records/s"), fmt(big.plain, "records/s plain fetch+insert"), fmt(big.bridged / big.plain, "×")]);
      rows.push([
        "100,000-record sync: peak RSS growth (host process)",
        fmt(big.peakMb, "MB"),
        fmt(big.plainPeakMb, "MB plain fetch+insert"),
        fmt(big.peakMb / Math.max(big.plainPeakMb, 1), "×"),
      ]);
    },
  ],
  [
    "store",
    async () => {
      const stores = await storeBench();
      rows.push([
        `page commit throughput, PostgreSQL vs SQLite (100 records/page, ${stores.records.toLocaleString("en-US")} records: insert, unchanged, update)`,
        fmt(stores.postgres, "records/s Postgres"),
        fmt(stores.sqlite, "records/s SQLite"),
        fmt(stores.postgres / stores.sqlite, "×"),
      ]);
    },
  ],
  [
    "files",
    async () => {
      const files = await filesBench();
      rows.push([
        `${files.sizeMb} MB JSONL file: read through the runner (Files.readLines per page)`,
        fmt(files.readMbps, "MB/s"),
        fmt(files.readlineMbps, "MB/s plain readline"),
        fmt(files.readMbps / files.readlineMbps, "×"),
      ]);
      rows.push([
        `${files.sizeMb} MB JSONL file: peak RSS growth, download + read (host process, target ≤ 150 MB)`,
        fmt(files.peakRssMb, "MB"),
        fmt(files.readlinePeakRssMb, "MB plain readline"),
        fmt(files.peakRssMb / Math.max(files.readlinePeakRssMb, 1), "×"),
      ]);
      rows.push([`${files.sizeMb} MB JSONL file: streamed download (Files.download)`, fmt(files.downloadMbps, "MB/s"), `whole bench ${Math.round(files.seconds)} s`, "-"]);
    },
  ],
  ["queue", () => queueBench(rows)],
];

const only = process.argv.flatMap((arg, i, all) => (all[i - 1] === "--only" ? [arg] : []));
// A row's exact name picks that row alone (throughput-10 is not throughput-100); anything else matches by substring.
const picked = (name: string) => only.some((o) => (benchmarks.some(([n]) => n === o) ? name === o : name.includes(o)));
for (const [name, run] of benchmarks) if (!only.length || picked(name)) await run();

const widths = [0, 1, 2, 3].map((i) => Math.max(...rows.map((r) => r[i]!.length), ["benchmark", "measured", "baseline", "ratio"][i]!.length));
const line = (r: string[]) => r.map((c, i) => c.padEnd(widths[i]!)).join(" | ");
console.log(line(["benchmark", "measured", "baseline", "ratio"]));
console.log(widths.map((w) => "-".repeat(w)).join("-|-"));
for (const r of rows) console.log(line(r));
