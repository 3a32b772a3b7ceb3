// The route timeout and long host work: time inside Files.download does not count against
// the route timeout (a multi-GB bulk result takes longer than any route should), bounded by
// the download's own timeoutMs, capped by the host (HttpLimits.maxDownloadMs). Everything
// else still counts: the route's own code, and Http however slow the provider is.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RouteRunner } from "../../src/runner/index.js";
import { DEMO_DIR, fakeServices, startServer, type TestServer } from "./support.js";
import { BULK_ROUTES, bulkServices } from "../files/support.js";

/** The route timeout of these tests: the slow server takes several times as long. */
const ROUTE_TIMEOUT_MS = 600;
const SLOW_CHUNKS = 8;
const SLOW_CHUNK_GAP_MS = 300;
const LINE = '{"id":"c1"}\n';

let server: TestServer;
let runner: RouteRunner;

/** A real HTTP server that sends a small JSONL body a chunk at a time, slower in total than the route timeout. */
async function trickle(res: import("node:http").ServerResponse): Promise<void> {
  res.writeHead(200, { "content-type": "application/x-ndjson" });
  for (let i = 0; i < SLOW_CHUNKS; i++) {
    res.write(LINE);
    await new Promise((r) => setTimeout(r, SLOW_CHUNK_GAP_MS));
  }
  res.end();
}

beforeAll(async () => {
  server = await startServer((req, res) => {
    const path = new URL(req.url ?? "/", "http://x").pathname;
    if (path === "/slow.jsonl") return void trickle(res);
    if (path === "/slow-api") return void setTimeout(() => res.end("{}"), SLOW_CHUNKS * SLOW_CHUNK_GAP_MS);
    res.writeHead(404).end();
  });
  runner = new RouteRunner({ routeTimeoutMs: ROUTE_TIMEOUT_MS, callTimeoutMs: 10_000 });
});

afterAll(async () => {
  await runner.close();
  await server.close();
});

/** Loads the route module in the runner's worker under a generous timeout, so a loaded machine's module load does not eat the tests' budget. */
const warm = (on: RouteRunner, services = bulkServices(server.port, server.base)) =>
  on.runRoute({
    routesDir: BULK_ROUTES,
    services,
    route: "/files/probe",
    routeTimeoutMs: 120_000,
    input: { rawBody: JSON.stringify({ remove: "not-a-file" }), headers: { "content-type": "application/json" } },
  });

const download = (body: Record<string, unknown>, services = bulkServices(server.port, server.base)) =>
  runner.runRoute({
    routesDir: BULK_ROUTES,
    services,
    route: "/files/probe",
    input: { rawBody: JSON.stringify({ url: `${server.base}/slow.jsonl`, ...body }), headers: { "content-type": "application/json" } },
  });

describe("route timeout and Files.download", () => {
  it("a download slower than the route timeout completes: time inside Files.download does not count", async () => {
    await warm(runner);
    const result = await download({});
    expect(result.outcome).toBe("ok");
    expect(result.status).toBe(200);
    expect(JSON.parse(result.bodyText)).toMatchObject({ bytes: SLOW_CHUNKS * LINE.length });
  });

  it("the route's own work after a download still counts: a route that runs past its budget times out", async () => {
    const result = await download({ spinAfterMs: ROUTE_TIMEOUT_MS * 4 });
    expect(result.outcome).toBe("timeout");
    expect(JSON.parse(result.bodyText)).toMatchObject({ error: { code: "route_timeout" } });
  });

  it("a slow Http call counts: only downloads stop the clock", async () => {
    const result = await runner.runRoute({
      connectorDir: DEMO_DIR,
      services: fakeServices(server.port),
      route: "/probe",
      input: { rawBody: JSON.stringify({ action: "http", url: `${server.base}/slow-api` }), headers: { "content-type": "application/json" } },
    });
    expect(result.outcome).toBe("timeout");
  });

  it("the host bounds a download: a timeoutMs beyond maxDownloadMs gets the host's bound, and the partial file is gone", async () => {
    const bounded = new RouteRunner({ routeTimeoutMs: ROUTE_TIMEOUT_MS, http: { maxDownloadMs: ROUTE_TIMEOUT_MS } });
    try {
      const services = bulkServices(server.port, server.base);
      await warm(bounded, services);
      const result = await bounded.runRoute({
        routesDir: BULK_ROUTES,
        services,
        route: "/files/probe",
        input: { rawBody: JSON.stringify({ url: `${server.base}/slow.jsonl`, timeoutMs: 24 * 3600_000 }), headers: { "content-type": "application/json" } },
      });
      expect(result.outcome).toBe("ok");
      expect(result.status).toBe(500);
      expect(JSON.parse(result.bodyText)).toMatchObject({ error: { code: "timeout" } });
      expect(await services.files.store.list(services.connectionId, "bulk_customers")).toEqual([]);
    } finally {
      await bounded.close();
    }
  });
});
