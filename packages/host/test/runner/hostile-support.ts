// The hostile fixture connector (test/fixtures/hostile) and a host data dir for it to attack:
// a real host's master.key and database, a canary environment variable, a signal counter.
import { mkdtempSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { defineConnector, type ConnectorManifest } from "@backfill-io/sdk";
import { openHost, silentLogger, staticConnectorRegistry } from "../../src/index.js";
import type { RouteRunner, RouteRunResult } from "../../src/runner/index.js";
import { afterAll, beforeAll } from "vitest";
import { fakeServices, json, startServer, type FakeServices, type TestServer } from "./support.js";

export const HOSTILE_DIR = fileURLToPath(new URL("../fixtures/hostile", import.meta.url));

/** Set in the host's environment; no route may see it. */
export const CANARY_ENV_NAME = "BACKFILL_TEST_CANARY_ENV";
export const CANARY_ENV_VALUE = "canary-env-value-7c41de";

export function hostileManifest(): ConnectorManifest {
  return defineConnector({
    key: "hostile",
    name: "Hostile",
    version: "0.1.0",
    // Only this host: a fetch anywhere else is outside the manifest.
    permissions: { http: ["https://api.provider.test/*"], entities: { Customer: ["write"] } },
  });
}

export function hostileServices(): FakeServices {
  return fakeServices(1, { connectionId: "conn_hostile", manifest: hostileManifest() });
}

export type HostDataDir = { dataDir: string; masterKey: string; database: string };

/** A real host's data dir (master.key, the SQLite database), closed again so only the files remain. */
export async function hostDataDir(): Promise<HostDataDir> {
  const dataDir = mkdtempSync(join(tmpdir(), "backfill-hostile-"));
  const host = await openHost({ dataDir, connectors: staticConnectorRegistry([]), logger: silentLogger });
  await host.close();
  const database = readdirSync(dataDir).find((f) => f.endsWith(".db"));
  if (!database) throw new Error(`no database in ${dataDir}`);
  return { dataDir, masterKey: join(dataDir, "master.key"), database: join(dataDir, database) };
}

export type Attack = { mode: string; path?: string; url?: string; megabytes?: number };

export function attack(runner: RouteRunner, services: FakeServices, body: Attack): Promise<RouteRunResult> {
  return runner.runRoute({ connectorDir: HOSTILE_DIR, services, route: "/attack", input: { rawBody: JSON.stringify(body) } });
}

export type Served = { ok: true; pid: number; threadId: number };

/** A clean invocation: which worker (or child) served it. */
export async function served(runner: RouteRunner, services: FakeServices): Promise<Served> {
  const r = await attack(runner, services, { mode: "check" });
  if (r.outcome !== "ok") throw new Error(`check failed: ${r.bodyText}`);
  return JSON.parse(r.bodyText) as Served;
}

export const errorCode = (r: RouteRunResult): string | undefined => (JSON.parse(r.bodyText) as { error?: { code?: string } }).error?.code;

export type HostileBed = {
  readonly runner: RouteRunner;
  readonly data: HostDataDir;
  /** A server on 127.0.0.1 that no manifest allows. */
  readonly forbidden: TestServer;
  readonly services: FakeServices;
  /** SIGUSR2 signals the host (this test process) received: a route that signalled it. */
  readonly signalsReceived: number;
};

/**
 * The hostile test bed for one test file (registers beforeAll/afterAll): a canary in the
 * host's environment, a SIGUSR2 counter, a host data dir, a forbidden server and the runner.
 */
export function hostileBed(makeRunner: (dataDir: string) => RouteRunner): HostileBed {
  const bed = { services: hostileServices(), signalsReceived: 0 } as { -readonly [K in keyof HostileBed]: HostileBed[K] };
  const countSignal = () => bed.signalsReceived++;
  beforeAll(async () => {
    process.env[CANARY_ENV_NAME] = CANARY_ENV_VALUE;
    process.on("SIGUSR2", countSignal);
    bed.data = await hostDataDir();
    bed.runner = makeRunner(bed.data.dataDir);
    bed.forbidden = await startServer((_req, res) => json(res, 200, { reached: true }));
  });
  afterAll(async () => {
    process.off("SIGUSR2", countSignal);
    delete process.env[CANARY_ENV_NAME];
    await bed.runner?.close();
    await bed.forbidden?.close();
  });
  return bed;
}
