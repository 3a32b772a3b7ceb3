// One test bed for the server tests that run the demo connector: a provider serving two
// pages of three customers, a sync host, the server on port 0, a host API key and a
// connection. Call it at the top of a test file; read the parts after beforeAll ran.
import { afterAll, beforeAll } from "vitest";
import { createApiKey, startHostServer, type RunningServer } from "../../src/server/index.js";
import { customerPages, json, startServer, type TestServer } from "../runner/support.js";
import { createDemoConnection, openSyncHost, type SyncHost } from "../sync/support.js";

export type ServerBed = { provider: TestServer; sh: SyncHost; server: RunningServer; key: string; connectionId: string };

export function demoServerBed(): ServerBed {
  const bed = {} as ServerBed;
  beforeAll(async () => {
    const pages = customerPages(2, 3);
    bed.provider = await startServer((req, res) => json(res, 200, pages(Number(new URL(req.url ?? "/", "http://x").searchParams.get("page") ?? 1))));
    bed.sh = await openSyncHost(bed.provider.port);
    bed.server = await startHostServer({ host: bed.sh.host, runner: bed.sh.runner, port: 0 });
    bed.key = (await createApiKey(bed.sh.host.store, "test")).key;
    bed.connectionId = await createDemoConnection(bed.sh.host, bed.provider.base);
  });
  afterAll(async () => {
    await bed.server.close();
    await bed.sh.close();
    await bed.provider.close();
  });
  return bed;
}
