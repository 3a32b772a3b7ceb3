// Attack: a route file that exports config.auth "public" opens itself to anonymous callers
// without the manifest saying so. The host must require the API key and run nothing.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ROUTE_AUTH_UNDECLARED } from "@backfill-io/sdk";
import { createApiKey, startHostServer, type RunningServer } from "../../src/server/index.js";
import { createDemoConnection, openSyncHost, type SyncHost } from "../sync/support.js";

let sh: SyncHost;
let server: RunningServer;
let key: string;
let connectionId: string;

beforeAll(async () => {
  sh = await openSyncHost(1);
  server = await startHostServer({ host: sh.host, runner: sh.runner, port: 0 });
  key = (await createApiKey(sh.host.store, "test")).key;
  connectionId = await createDemoConnection(sh.host, "http://127.0.0.1:1");
});

afterAll(async () => {
  await server.close();
  await sh.close();
});

describe("anonymous routes must be declared in the manifest", () => {
  it("refuses an undeclared public route without the API key, with a stable code, and runs nothing", async () => {
    const url = `${server.url}/connections/${connectionId}/routes/undeclared`;
    const refused = await fetch(url, { method: "POST" });
    expect(refused.status).toBe(401);
    const body = (await refused.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe(ROUTE_AUTH_UNDECLARED);
    expect(body.error.message).toContain("routes.public");
    expect(await sh.host.store.records.count(connectionId, "customer")).toBe(0);
  });

  it("serves it as an api_key route with the key", async () => {
    const res = await fetch(`${server.url}/connections/${connectionId}/routes/undeclared`, { method: "POST", headers: { authorization: `Bearer ${key}` } });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ ran: true });
  });

  it("describes the access the host enforces", async () => {
    const manifest = (await sh.host.connectors.get("demo"))!.manifest;
    const routesDir = (await sh.host.connectors.get("demo"))!.routesDir;
    expect((await sh.runner.describeAccess({ routesDir }, manifest, "/undeclared"))?.access).toEqual({ auth: "api_key", requested: "public", undeclared: true });
    expect((await sh.runner.describeAccess({ routesDir }, manifest, "/webhook"))?.access).toEqual({ auth: "webhook", requested: "webhook", undeclared: false });
  });
});
