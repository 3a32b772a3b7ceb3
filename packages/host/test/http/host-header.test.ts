// The Host header names the server a request is for, and a CDN or a shared load balancer routes
// on it: a route that sets its own Host header would reach a host permissions.http never allowed
// through an allowed host's address (domain fronting). The host's HTTP stack refuses a
// caller's Host header on every path (HostHttp, the runner's default transport, HostHttp as
// the runner's transport); nothing is sent. Real HTTP on 127.0.0.1.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { defineConnector, Redactor } from "@backfill-io/sdk";
import { createHostHttp } from "../../src/http/host-http.js";
import { hostHttpTransport } from "../../src/http/route-transport.js";
import { createUndiciTransport, performHttp, DEFAULT_HTTP_LIMITS, type HttpTransport } from "../../src/runner/http.js";
import { startServer, type TestServer } from "../runner/support.js";

let server: TestServer;
beforeAll(async () => {
  server = await startServer((req, res) => res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ host: req.headers.host })));
});
afterAll(() => server.close());

function routeContext(transport: HttpTransport) {
  const manifest = defineConnector({ key: "t", name: "T", version: "0.1.0", permissions: { http: [`${server.base}/*`] } });
  return { manifest, settings: {}, accessToken: () => Promise.resolve(""), transport, limits: DEFAULT_HTTP_LIMITS, redactor: new Redactor() };
}

describe("a caller's Host header", () => {
  it("HostHttp refuses it and sends nothing", async () => {
    const http = createHostHttp();
    const before = server.requests.length;
    await expect(http({ method: "GET", url: `${server.base}/x`, headers: { Host: "internal.example" } })).rejects.toMatchObject({ code: "http_header_forbidden" });
    expect(server.requests.length).toBe(before);
    await http.close();
  });

  it.each([
    ["the runner's default transport", () => createUndiciTransport()],
    ["HostHttp as the runner's transport", () => Object.assign(hostHttpTransport(createHostHttp()), { close: () => Promise.resolve() })],
  ])("a route's Http call through %s is refused with permission_denied", async (_name, make) => {
    const transport = make();
    const before = server.requests.length;
    await expect(performHttp({ method: "GET", url: `${server.base}/x`, headers: { host: "internal.example" } }, routeContext(transport))).rejects.toMatchObject({
      code: "permission_denied",
    });
    expect(server.requests.length).toBe(before);
    // Without one, the Host is the URL's.
    expect((await performHttp({ method: "GET", url: `${server.base}/x`, headers: {} }, routeContext(transport))).body).toEqual({ host: `127.0.0.1:${server.port}` });
    await transport.close();
  });
});
