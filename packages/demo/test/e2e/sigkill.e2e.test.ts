// A host process killed with SIGKILL in the middle of a Shopify orders sync loses nothing:
// the rerun takes over the dead process's stream lock, resumes from the last committed page
// (paged) or the committed job, file and byte offset (bulk) and ends with exactly the
// emulator's orders, none twice; the killed run is not a success.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer, request, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, expect, it } from "vitest";
import { DEMO_SHOP, startDemoEnvironment, type DemoEnvironment } from "../../src/environment.js";
import { emulatorSecrets, entries, expectedShopify, findLeaks, storedRecords } from "./support.js";

const DELAY_MS = 40;
let dataDir: string;
let env: DemoEnvironment;
let proxy: Server;
let child: ChildProcess | undefined;

/** The Shopify emulator behind a small delay, so the child's run spans a second or more. */
function startSlowProxy(target: string): Promise<Server> {
  const upstream = new URL(target);
  const server = createServer((req, res) => {
    setTimeout(() => {
      const up = request({ host: upstream.hostname, port: upstream.port, path: req.url, method: req.method, headers: req.headers }, (r) => {
        res.writeHead(r.statusCode ?? 502, r.headers);
        r.pipe(res);
      });
      up.on("error", () => res.destroy());
      req.pipe(up);
    }, DELAY_MS);
  });
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(server)));
}

async function start(orders: number): Promise<void> {
  dataDir = mkdtempSync(join(tmpdir(), "backfill-e2e-kill-"));
  env = await startDemoEnvironment({ dataDir, mode: "source", orders, seed: 5 });
  proxy = await startSlowProxy(env.shopify.url);
}

afterEach(async () => {
  if (child && child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  await new Promise<void>((resolve) => (proxy ? proxy.close(() => resolve()) : resolve()));
  await env?.close();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

// 200 orders page (20 pages of 10); 600 run as a bulk pass, read from the file 500 lines a slice.
for (const [mode, ORDERS] of [
  ["paged", 200],
  ["bulk", 600],
] as const) {
  it(`resumes a Shopify orders sync (${mode}) after SIGKILL with no loss and no duplicate`, async () => {
    await start(ORDERS);
    const { connectionId } = await env.connect("shopify", { shop_domain: DEMO_SHOP });
    const { port } = proxy.address() as AddressInfo;

    child = spawn(process.execPath, ["--import", "tsx", "--conditions=source", fileURLToPath(new URL("./child-sync.ts", import.meta.url)), dataDir, connectionId, "orders"], {
      cwd: fileURLToPath(new URL("../..", import.meta.url)),
      env: { ...process.env, BACKFILL_PROVIDER_ROUTES: `https://*.myshopify.com=http://127.0.0.1:${port},https://storage.googleapis.com=http://127.0.0.1:${port}` },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    let err = "";
    child.stdout!.on("data", (c: Buffer) => (out += c.toString()));
    child.stderr!.on("data", (c: Buffer) => (err += c.toString()));
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child!.on("exit", (_code, signal) => resolve(signal)));
    let ended = false;
    void exited.then(() => (ended = true));

    // Poll the shared SQLite database until some pages are committed, then kill the host.
    const deadline = Date.now() + 90_000; // a bound on a loaded machine, not a timing assertion
    while (!ended && Date.now() < deadline) {
      if ((await env.host.store.records.count(connectionId, "sales_receipt")) >= 50) break;
      await new Promise((r) => setTimeout(r, 10));
    }
    expect(ended, `child ended before it was killed: ${out} ${err}`).toBe(false);
    child.kill("SIGKILL");
    expect(await exited).toBe("SIGKILL");
    expect(out).not.toContain("done");

    const committed = await env.host.store.records.count(connectionId, "sales_receipt");
    expect(committed).toBeGreaterThan(0);
    expect(committed).toBeLessThan(ORDERS);
    // The orders stream writes each order's refund receipts with it.
    const expected = expectedShopify(env.shopify.state.shop(DEMO_SHOP));
    const total = expected.sales_receipt.size + expected.refund_receipt.size;
    const committedAll = committed + (await env.host.store.records.count(connectionId, "refund_receipt"));
    const killedRun = (await env.host.store.syncRuns.list({ connectionId, stream: "orders" }))[0]!;
    expect(killedRun.status).toBe("running"); // nobody had a chance to finish it

    // The rerun (in this process) takes the dead process's lock over and completes.
    const resumed = await env.engine.sync(connectionId, "orders");
    expect(resumed.outcome).toBe("succeeded");
    expect(resumed.accepted).toBeLessThan(total); // resumed, not restarted
    expect(resumed.accepted).toBeGreaterThanOrEqual(total - committedAll);

    const stored = await storedRecords(env.host, connectionId);
    expect(stored.rows).toBe(stored.distinctKeys);
    expect(entries(stored.sales_receipt)).toEqual(entries(expected.sales_receipt));
    expect(entries(stored.refund_receipt)).toEqual(entries(expected.refund_receipt));

    const runs = await env.host.store.syncRuns.list({ connectionId, stream: "orders" });
    const killed = runs.find((r) => r.id === killedRun.id)!;
    expect(killed.status).not.toBe("succeeded");
    expect(killed.outcome).toBe("interrupted");
    expect(runs.filter((r) => r.status === "succeeded").map((r) => r.id)).toEqual([resumed.runId]);

    // Neither the killed process's output nor what it left in the database holds a secret.
    expect(findLeaks(emulatorSecrets(env), dataDir, [out, err])).toEqual([]);
    expect(env.shopify.state.bulk.operations.size > 0).toBe(mode === "bulk");
  }, 180_000);
}
