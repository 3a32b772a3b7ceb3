// Host benchmarks (not tests): each figure is a ratio against a baseline measured in
// the same run on the same machine. Run: pnpm bench (node --import tsx --conditions=source).
import { bindHost, OAuth, type HostBinding } from "@backfill-io/sdk";
import { RouteRunner } from "../src/runner/index.js";
import { customerPages, DEMO_DIR, demoManifest, fakeServices, json, startServer } from "../test/runner/support.js";
import { createDemoConnection, openSyncHost } from "../test/sync/support.js";

const rows: [string, string, string, string][] = [];
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
  rows.push(["cached OAuth.accessToken through the bridge (round trip)", fmt(perCallUs, "µs/call"), fmt(directUs, "µs/call direct"), `${fmt(perCallUs / directUs, "×")}`]);
}

async function throughput(pagesCount: number, perPage: number): Promise<{ bridged: number; plain: number; peakMb: number }> {
  const pages = customerPages(pagesCount, perPage);
  const bodies = new Map<number, string>();
  const server = await startServer((req, res) => {
    const page = Number(new URL(req.url ?? "/", "http://x").searchParams.get("page") ?? 1);
    if (!bodies.has(page)) bodies.set(page, JSON.stringify(pages(page)));
    res.writeHead(200, { "content-type": "application/json" });
    res.end(bodies.get(page));
    void json;
  });
  const sh = await openSyncHost(server.port);
  try {
    // Baseline: plain fetch + insert of the same pages into the same store.
    const plainId = await createDemoConnection(sh.host, server.base);
    const t0 = performance.now();
    for (let page = 1; ; page++) {
      const body = (await (await fetch(`${server.base}/customers?page=${page}`)).json()) as ReturnType<typeof pages>;
      const items = body.customers.map((c) => ({ idempotencyKey: `customer:${c.id}`, payload: { customer_id: c.id, display_name: c.name, email: c.email } }));
      await sh.host.store.commitPage(plainId, "customers", [{ kind: "customer", items }], { page: body.next ?? page });
      if (body.next === null) break;
    }
    const plain = (pagesCount * perPage) / ((performance.now() - t0) / 1000);

    const id = await createDemoConnection(sh.host, server.base);
    const base = process.memoryUsage().rss;
    let peak = base;
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
    const t1 = performance.now();
    const result = await sh.engine.sync(id, "customers");
    const bridged = result.accepted / ((performance.now() - t1) / 1000);
    clearInterval(sampler);
    peak = Math.max(peak, process.memoryUsage().rss);
    if (result.outcome !== "succeeded") throw new Error(`sync ${result.outcome}: ${result.error ?? ""}`);
    return { bridged, plain, peakMb: (peak - base) / 1024 / 1024 };
  } finally {
    await sh.close();
    await server.close();
  }
}

await bridge();
const t = await throughput(50, 200);
rows.push(["sync throughput: provider → route (worker) → store", fmt(t.bridged, "records/s"), fmt(t.plain, "records/s plain fetch+insert"), fmt(t.bridged / t.plain, "×")]);
const big = await throughput(100, 1_000);
rows.push(["100,000-record sync: peak RSS growth (main thread)", fmt(big.peakMb, "MB"), fmt(big.plain, "records/s plain"), `${fmt(big.bridged / big.plain, "×")} throughput`]);

const widths = [0, 1, 2, 3].map((i) => Math.max(...rows.map((r) => r[i]!.length), ["benchmark", "measured", "baseline", "ratio"][i]!.length));
const line = (r: string[]) => r.map((c, i) => c.padEnd(widths[i]!)).join(" | ");
console.log(line(["benchmark", "measured", "baseline", "ratio"]));
console.log(widths.map((w) => "-".repeat(w)).join("-|-"));
for (const r of rows) console.log(line(r));
