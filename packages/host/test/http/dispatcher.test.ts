// The host's one dispatcher factory and error mapping (src/http/): undici's headers and body
// timeouts and a refused connection become the host's codes, whichever caller sees them; dev
// provider routing sends the request to its stand-in with the original host. Real HTTP on 127.0.0.1.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createHostHttp } from "../../src/http/host-http.js";
import { HTTP_NETWORK, HTTP_TIMEOUT, routeCallError } from "../../src/http/errors.js";
import { startServer, type TestServer } from "../runner/support.js";

let server: TestServer;
beforeAll(async () => {
  server = await startServer((req, res) => {
    if (req.url === "/no-headers") return; // never answers
    if (req.url === "/stall") return void res.writeHead(200).write("first chunk, then nothing");
    res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ host: req.headers.host, forwarded: req.headers["x-forwarded-host"] ?? null }));
  });
});
afterAll(() => server.close());

describe("createHostDispatcher through HostHttp", () => {
  it("a server that never answers is http_timeout (the headers timeout); a body that stalls is http_timeout, said as such", async () => {
    const http = createHostHttp({ headersTimeoutMs: 100, bodyTimeoutMs: 100 });
    const noHeaders = await http({ method: "GET", url: `${server.base}/no-headers` }).catch((e: unknown) => e);
    expect(noHeaders).toMatchObject({ code: HTTP_TIMEOUT, message: `GET ${server.base}/no-headers: timed out` });
    const stalled = await http({ method: "GET", url: `${server.base}/stall` }).catch((e: unknown) => e);
    expect(stalled).toMatchObject({ code: HTTP_TIMEOUT, message: `GET ${server.base}/stall: stopped sending data` });
    // A route sees the SDK's code for the same failure.
    expect(routeCallError("Http", stalled, `GET ${server.base}/stall`)).toMatchObject({ code: "timeout", message: `Http: GET ${server.base}/stall: stopped sending data` });
    await http.close();
  });

  it("a refused connection is http_network naming the socket error; a route sees http_error", async () => {
    const closed = await startServer((_req, res) => res.end());
    await closed.close();
    const http = createHostHttp();
    const refused = await http({ method: "POST", url: `${closed.base}/x?token=query-canary` }).catch((e: unknown) => e);
    expect(refused).toMatchObject({ code: HTTP_NETWORK, message: `POST ${closed.base}/x: request failed (ECONNREFUSED)` });
    expect(routeCallError("Http", refused, "")).toMatchObject({ code: "http_error" });
    await http.close();
  });

  it("provider routing happens in the dispatcher: the stand-in gets the original host in Host and X-Forwarded-Host; other URLs go as written", async () => {
    const http = createHostHttp({ providerRoutes: [{ match: "https://*.provider.test", target: server.base }] });
    expect(JSON.parse((await http({ method: "GET", url: "https://acme.provider.test/x" })).bodyText)).toEqual({ host: "acme.provider.test", forwarded: "acme.provider.test" });
    expect(JSON.parse((await http({ method: "GET", url: `${server.base}/x` })).bodyText)).toEqual({ host: `127.0.0.1:${server.port}`, forwarded: null });
    await http.close();
  });
});
