// Worker child processes for the multi-worker tests.
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { ConnectorManifest } from "@backfill-io/sdk";
import { buildConnector } from "../runner/build-connector.js";
import { DEMO_DIR } from "../runner/support.js";

export type WorkerProcess = { child: ChildProcess; out(): string; exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>; ready: Promise<void> };

/** databaseUrl: the queue's; storeUrl: the store's when it is on Postgres too (else the SQLite file in dataDir). */
export type WorkerConfig = { dataDir: string; databaseUrl: string; storeUrl?: string; manifest: ConnectorManifest; routesDir: string; concurrency?: number; leaseMs?: number };

export const BUILT_HOST = fileURLToPath(new URL("../../dist/index.js", import.meta.url));
/** The fixture connector's routes as built JavaScript (what a production worker runs). */
export const BUILT_ROUTES = fileURLToPath(new URL("../fixtures/queue-demo/dist/src/api", import.meta.url));

export function buildQueueFixture(): void {
  if (!existsSync(BUILT_HOST)) throw new Error("packages/host/dist is missing: `turbo run test` builds it first, or run `npx tsc -p tsconfig.build.json`");
  buildConnector(join(DEMO_DIR, "src"), dirname(BUILT_ROUTES));
}

export function spawnWorker(args: WorkerConfig): WorkerProcess {
  const config = { concurrency: 2, leaseMs: 1000, ...args };
  const child = spawn(process.execPath, [fileURLToPath(new URL("./child-worker.mjs", import.meta.url)), JSON.stringify(config)], {
    cwd: fileURLToPath(new URL("../..", import.meta.url)),
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  let err = "";
  child.stdout.on("data", (c: Buffer) => (out += c.toString()));
  child.stderr.on("data", (c: Buffer) => (err += c.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on("exit", (code, signal) => resolve({ code, signal })));
  const ready = new Promise<void>((resolve, reject) => {
    const check = () => (out.includes(" ready\n") ? resolve() : undefined);
    child.stdout.on("data", check);
    void exited.then(() => reject(new Error(`worker exited before it was ready: ${out}\n${err}`)));
  });
  // A worker killed before it was ready is no error unless a test awaits its readiness.
  ready.catch(() => undefined);
  return { child, out: () => out + err, exited, ready };
}

export async function stopWorker(worker: WorkerProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  worker.child.kill("SIGTERM");
  return worker.exited;
}
