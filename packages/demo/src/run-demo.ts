// `backfill demo`: the whole product, offline, end to end. Starts both emulators and the
// host on the embedded SQLite store, connects a Shopify shop and a Square merchant through
// the full redirect flow, syncs every stream, forces a token refresh (Shopify rotates its
// refresh token) and prints a summary.
import { spawnSync } from "node:child_process";
import { join, resolve } from "node:path";
import { Listr, type ListrTaskWrapper, type DefaultRenderer, type SimpleRenderer } from "listr2";
import Table from "cli-table3";
import { createApiKey, createHostLogger, ensureDataDir, readTokens, resolveDatabaseUrl, resolveDataDir, writePrivateFile, type SyncResult } from "@backfill-io/host";
import { startDemoEnvironment, DEMO_SHOP, type DemoEnvironment } from "./environment.js";
import { readDemoState, writeDemoState } from "./state-file.js";
import { openDemoLog } from "./log-file.js";
import { fingerprint } from "./fingerprint.js";
import { progressLine } from "./progress.js";

/** A failed demo step, pointing at the host's log for the detail. */
export class DemoFailedError extends Error {
  readonly fix: string;
  constructor(cause: unknown, logFile: string) {
    super(cause instanceof Error ? cause.message : String(cause), { cause });
    this.name = "DemoFailedError";
    this.fix = `see the host log in ${logFile}; rerun with a fresh --data-dir to start over`;
  }
}

export type DemoOptions = {
  dataDir?: string;
  /** The store on PostgreSQL (the demo migrates it: it is the demo's own database). */
  databaseUrl?: string;
  orders?: number;
  seed?: number;
  faults?: number;
  json?: boolean;
  /** Keep the host (dashboard, connect page) and the emulators up this long after the run, or until Ctrl-C. */
  serveMs?: number;
  /** With serveMs: open a connect page for a new Shopify shop in the desktop's browser. */
  openBrowser?: boolean;
  /** Where the serving phase says what to open (stderr by default). */
  say?: (line: string) => void;
};

type ConnectorKey = "shopify" | "square";
type Ctx = {
  env?: DemoEnvironment;
  connections: Partial<Record<ConnectorKey, { id: string; account: string }>>;
  results: { connector: ConnectorKey; phase: string; result: SyncResult }[];
  refresh?: { connector: ConnectorKey; before: string; after: string; refreshBefore: string; refreshAfter: string };
};

type Task = ListrTaskWrapper<Ctx, typeof DefaultRenderer, typeof SimpleRenderer>;

export type DemoSummary = {
  dataDir: string;
  run: number;
  connections: Ctx["connections"];
  syncs: { connector: string; phase: string; stream: string; outcome: string; pages: number; accepted: number; rejected: number; retries: number; durationMs: number }[];
  records: { connector: string; entity: string; count: number }[];
  refresh: Ctx["refresh"];
  durationMs: number;
  /** Set when the demo kept serving (--serve). */
  dashboardUrl?: string;
};

async function syncConnector(ctx: Ctx, connector: ConnectorKey, task: Task, phase = "sync"): Promise<void> {
  const env = ctx.env!;
  const connection = ctx.connections[connector]!;
  const streams = (await env.host.connectors.get(connector))!.manifest.streams;
  for (const [i, stream] of streams.entries()) {
    // A terminal redraws one line; a log gets a line per update, so updates are spaced out.
    const everyMs = process.stdout.isTTY ? 100 : 2_000;
    let last = 0;
    const result = await env.engine.sync(connection.id, stream.name, {
      onProgress: (p) => {
        if (!p.done && Date.now() - last < everyMs) return;
        last = Date.now();
        task.output = progressLine(i, streams.length, stream.name, p);
      },
    });
    ctx.results.push({ connector, phase, result });
    if (result.outcome !== "succeeded") throw new Error(`${connector} ${stream.name}: ${result.outcome}${result.error ? ` (${result.error})` : ""}`);
  }
  task.title = `Synced ${connector}: ${streams.map((s) => s.name).join(", ")}`;
}

/** Forces the Shopify access token to expire, then asks for a token: the host refreshes. */
async function forceRefresh(ctx: Ctx, connector: ConnectorKey): Promise<void> {
  const env = ctx.env!;
  const id = ctx.connections[connector]!.id;
  const before = await readTokens(env.host.store, env.host.vault, id);
  await env.host.store.tokens.setAccessTokenTimes(id, { expiresAt: Date.now() - 1000, obtainedAt: Date.now() - 3_601_000 });
  const token = await env.host.tokens.accessToken(id, { minTtlSeconds: 600 });
  const after = await readTokens(env.host.store, env.host.vault, id);
  ctx.refresh = {
    connector,
    before: fingerprint(before?.accessToken),
    after: fingerprint(token),
    refreshBefore: fingerprint(before?.refreshToken),
    refreshAfter: fingerprint(after?.refreshToken),
  };
}

export async function runDemo(opts: DemoOptions = {}): Promise<DemoSummary> {
  const started = Date.now();
  const dataDir = resolve(opts.dataDir ?? resolveDataDir());
  const databaseUrl = resolveDatabaseUrl({ databaseUrl: opts.databaseUrl });
  ensureDataDir(dataDir);
  const state = readDemoState(dataDir);
  const run = state.runs + 1;
  const ctx: Ctx = { connections: {}, results: [] };
  const rate = opts.faults ?? 0;
  // The host's log (redacted) goes to a file: the terminal shows progress, the file the detail.
  const { file: logFile, stream: logStream } = openDemoLog(dataDir);

  const tasks = new Listr<Ctx>(
    [
      {
        title: `Start the Shopify and Square emulators and the host (${databaseUrl ? "PostgreSQL" : "SQLite"} store)`,
        task: async (c, task) => {
          c.env = await startDemoEnvironment({
            dataDir,
            ...(databaseUrl ? { databaseUrl } : {}),
            logger: createHostLogger({ destination: logStream }),
            dataAnchor: state.dataAnchor,
            ...(opts.orders !== undefined ? { orders: opts.orders } : {}),
            ...(opts.seed !== undefined ? { seed: opts.seed } : {}),
            faults: { rateLimited: rate / 2, serverError: rate / 2 },
          });
          // A later run: the providers' data moved on since the last sync.
          for (let i = 1; i < run; i++) {
            c.env.shopify.state.advance({ orders: 5, newOrders: 3, customers: 2, newCustomers: 1 });
            c.env.square.state.advance({});
          }
          task.title = `Emulators up (Shopify ${c.env.shopify.url}, Square ${c.env.square.url}); host on ${c.env.serverUrl}; data in ${dataDir}`;
        },
      },
      {
        title: "Connect a Shopify shop and a Square merchant (authorization-code flow, consent approved)",
        task: (_c, parent) =>
          parent.newListr(
            [
              {
                title: `Shopify: ${DEMO_SHOP}.myshopify.com`,
                task: async (c, task) => {
                  const done = await c.env!.connect("shopify", { shop_domain: DEMO_SHOP });
                  c.connections.shopify = { id: done.connectionId, account: done.providerAccountName ?? done.providerAccountId };
                  task.title = `Shopify connected: ${c.connections.shopify.account} (${done.hops.length} hops, postConnect verified)`;
                },
              },
              {
                title: "Square: production environment",
                task: async (c, task) => {
                  const done = await c.env!.connect("square", { environment: "production" });
                  c.connections.square = { id: done.connectionId, account: done.providerAccountName ?? done.providerAccountId };
                  task.title = `Square connected: ${c.connections.square.account} (${done.hops.length} hops, postConnect verified)`;
                },
              },
            ],
            { concurrent: false },
          ),
      },
      {
        title: "Sync every Shopify stream",
        task: (c, task) => {
          if (rate > 0) c.env!.enableFaults();
          return syncConnector(c, "shopify", task);
        },
      },
      { title: "Sync every Square stream", task: (c, task) => syncConnector(c, "square", task) },
      {
        title: "Expire the Shopify access token and refresh it (the refresh token rotates)",
        task: async (c, task) => {
          await forceRefresh(c, "shopify");
          const r = c.refresh!;
          if (r.refreshBefore === r.refreshAfter) throw new Error("the refresh token did not rotate");
          task.title = `Refreshed Shopify token ${r.before} → ${r.after}; refresh token rotated ${r.refreshBefore} → ${r.refreshAfter}`;
          await syncConnector(c, "shopify", task, "after refresh");
        },
      },
    ],
    {
      // Progress bars on a terminal; plain lines in CI logs; nothing with --json.
      renderer: "default",
      fallbackRenderer: "simple",
      silentRendererCondition: !!opts.json,
      rendererOptions: { collapseSubtasks: false },
      exitOnError: true,
    },
  );

  try {
    await tasks.run(ctx);
    writeDemoState(dataDir, { ...state, runs: run });
    const summary = await summarize(ctx, dataDir, run, started);
    if (opts.serveMs) await serveForAWhile(ctx.env!, dataDir, opts, summary);
    return summary;
  } catch (error) {
    throw new DemoFailedError(error, logFile);
  } finally {
    await ctx.env?.close();
    await new Promise<void>((done) => logStream.end(done));
  }
}

/**
 * Keeps the demo's host up so a person can click through what the script did: the
 * dashboard (signed in with a fresh host API key written 0600 into the data dir, never
 * printed) and, with openBrowser, a connect page for another shop.
 */
async function serveForAWhile(env: DemoEnvironment, dataDir: string, opts: DemoOptions, summary: DemoSummary): Promise<void> {
  const say = opts.say ?? ((line: string) => process.stderr.write(`${line}\n`));
  const keyFile = join(dataDir, "demo-operator.key");
  writePrivateFile(keyFile, `${(await createApiKey(env.host.store, `demo dashboard ${new Date().toISOString()}`)).key}\n`);
  summary.dashboardUrl = env.dashboardUrl;
  say(`Dashboard: ${env.dashboardUrl} (sign in with the host API key in ${keyFile})`);
  if (opts.openBrowser) {
    const connectUrl = await env.connectPageUrl("shopify");
    say(`Connect page for another shop: ${connectUrl}`);
    const opener = spawnSync("xdg-open", [connectUrl], { stdio: "ignore" });
    if (opener.error || opener.status !== 0) say("(no desktop browser to open here: open the URL yourself)");
  }
  say(`Serving for ${Math.round(opts.serveMs! / 1000)}s; Ctrl-C to stop sooner.`);
  await new Promise<void>((resolve) => {
    const stop = () => {
      clearTimeout(timer);
      process.removeListener("SIGINT", stop);
      process.removeListener("SIGTERM", stop);
      resolve();
    };
    const timer = setTimeout(stop, opts.serveMs);
    process.once("SIGINT", stop);
    process.once("SIGTERM", stop);
  });
}

async function summarize(ctx: Ctx, dataDir: string, run: number, started: number): Promise<DemoSummary> {
  const env = ctx.env!;
  const records: DemoSummary["records"] = [];
  for (const [connector, connection] of Object.entries(ctx.connections)) {
    for (const kind of ["customer", "sales_receipt", "refund_receipt"]) {
      records.push({ connector, entity: kind, count: await env.host.store.records.count(connection.id, kind) });
    }
  }
  return {
    dataDir,
    run,
    connections: ctx.connections,
    syncs: ctx.results.map(({ connector, phase, result }) => ({
      connector,
      phase,
      stream: result.stream,
      outcome: result.outcome,
      pages: result.pages,
      accepted: result.accepted,
      rejected: result.rejected,
      retries: result.retries,
      durationMs: result.durationMs,
    })),
    records,
    refresh: ctx.refresh,
    durationMs: Date.now() - started,
  };
}

export function renderSummary(summary: DemoSummary): string {
  const style = { head: [], border: [] };
  const syncs = new Table({
    head: ["connector", "phase", "stream", "outcome", "pages", "accepted", "rejected", "retries", "time"],
    colAligns: ["left", "left", "left", "left", "right", "right", "right", "right", "right"],
    style,
  });
  for (const s of summary.syncs) syncs.push([s.connector, s.phase, s.stream, s.outcome, s.pages, s.accepted, s.rejected, s.retries, `${(s.durationMs / 1000).toFixed(1)}s`]);
  const records = new Table({ head: ["connector", "entity", "records stored"], colAligns: ["left", "left", "right"], style });
  for (const r of summary.records) records.push([r.connector, r.entity, r.count]);
  const lines = [
    "",
    `Demo run ${summary.run} finished in ${(summary.durationMs / 1000).toFixed(1)}s${summary.run > 1 ? " (incremental: only what changed since the last run was fetched)" : ""}.`,
    "",
    "Syncs",
    syncs.toString(),
    "",
    "Records",
    records.toString(),
    "",
    "Look at the data:",
    "  npm run backfill -- records sales_receipt          # or customer, refund_receipt; --json for machines",
    "  npm run backfill -- runs",
    "  npm run backfill -- connections list",
    `Data dir: ${summary.dataDir} (run the demo again for an incremental sync)`,
  ];
  return lines.join("\n");
}
