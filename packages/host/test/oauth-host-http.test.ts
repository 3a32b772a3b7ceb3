// HostHttp: provider routing (dev/demo), size limit, timeouts.
import { createServer, type Server } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createHostHttp } from "../src/http/host-http.js";
import { hostHttpTransport } from "../src/http/route-transport.js";
import { performHttp, DEFAULT_HTTP_LIMITS } from "../src/runner/http.js";
import { defineConnector, Redactor } from "@backfill-io/sdk";
import { parseProviderRoutes, providerRouter } from "../src/http/provider-routes.js";

// A PNG header and bytes that are not valid UTF-8 on their own (0x89, 0xff, 0xc3 alone).
const PNG = Buffer.concat([
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0xff, 0xfe, 0x00, 0xc3, 0x28, 0x80]),
  Buffer.from(Array.from({ length: 256 }, (_, i) => i)),
]);

let server: Server;
let origin = "";
beforeAll(async () => {
  server = createServer((req, res) => {
    if (req.url?.startsWith("/slow")) return void setTimeout(() => res.end("late"), 500);
    if (req.url?.startsWith("/big")) return void res.end("x".repeat(2048));
    if (req.url === "/image.png") return void res.writeHead(200, { "content-type": "image/png" }).end(PNG);
    if (req.url === "/data.json") return void res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ n: "x".repeat(1500) }));
    res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ host: req.headers.host, forwarded: req.headers["x-forwarded-host"], url: req.url }));
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  origin = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

describe("HostHttp", () => {
  it("sends a matching provider URL to the target with the same path and query and the original host", async () => {
    const http = createHostHttp({ providerRoutes: [{ match: "https://*.myshopify.com", target: origin }] });
    const res = await http({ method: "GET", url: "https://acme.myshopify.com/admin/api/graphql.json?x=1" });
    expect(JSON.parse(res.bodyText)).toEqual({ host: "acme.myshopify.com", forwarded: "acme.myshopify.com", url: "/admin/api/graphql.json?x=1" });
    await http.close();
  });

  it("matches one host label per *, the scheme and the port", () => {
    const route = providerRouter([{ match: "https://*.myshopify.com", target: "http://127.0.0.1:4001" }]);
    expect(route(new URL("https://a.myshopify.com/x")).originalHost).toBe("a.myshopify.com");
    expect(route(new URL("https://a.b.myshopify.com/x")).originalHost).toBeNull();
    expect(route(new URL("http://a.myshopify.com/x")).originalHost).toBeNull();
    expect(route(new URL("https://myshopify.com.evil.com/x")).originalHost).toBeNull();
    expect(parseProviderRoutes("https://*.myshopify.com=http://127.0.0.1:4001,https://connect.squareup.com=http://127.0.0.1:4002")).toHaveLength(2);
  });

  it("enforces the response size limit and timeouts, naming the URL without its query", async () => {
    const http = createHostHttp({ maxResponseBytes: 1024 });
    await expect(http({ method: "GET", url: `${origin}/big` })).rejects.toMatchObject({ code: "http_too_large" });
    const slow = await http({ method: "GET", url: `${origin}/slow?token=secret-value`, timeoutMs: 100 }).catch((e: unknown) => e as Error);
    expect(slow).toMatchObject({ code: "http_timeout" });
    expect((slow as Error).message).not.toContain("secret-value");
    await http.close();
  });
});

describe("hostHttpTransport (HostHttp as the route runner's transport)", () => {
  const request = (url: string, maxResponseBytes: number) => ({ method: "GET", url: new URL(url), headers: {}, timeoutMs: 5_000, maxResponseBytes });

  it("hands the runner the body's bytes: a binary (image/png) response round-trips byte-exact", async () => {
    const http = createHostHttp();
    const res = await hostHttpTransport(http)(request(`${origin}/image.png`, 1024 * 1024));
    expect(res.headers["content-type"]).toBe("image/png");
    expect(Buffer.compare(res.body, PNG)).toBe(0);
    await http.close();
  });

  it("the runner's maxResponseBytes is the one limit: HostHttp's own default does not apply, and over it fails with the size error", async () => {
    // HostHttp alone would refuse 2 KB; the runner allows 4 KB for this request.
    const http = createHostHttp({ maxResponseBytes: 1024 });
    const transport = hostHttpTransport(http);
    expect((await transport(request(`${origin}/big`, 4096))).body.length).toBe(2048);
    const error = (await transport(request(`${origin}/big?token=secret-value`, 2000)).then(
      () => new Error("no error"),
      (e: unknown) => e,
    )) as Error & { code?: string };
    expect(error).toMatchObject({ code: "http_error" });
    expect(error.message).toContain("is larger than 2000 bytes");
    expect(error.message).not.toContain("secret-value");

    // Through the runner's Http: JSON still decodes by content type, and the limit holds.
    const manifest = defineConnector({ key: "t", name: "T", version: "0.1.0", permissions: { http: [`${origin}/*`] } });
    const ctx = {
      manifest,
      settings: {},
      accessToken: () => Promise.resolve(""),
      transport,
      limits: { ...DEFAULT_HTTP_LIMITS, maxResponseBytes: 1600 },
      redactor: new Redactor(),
    };
    expect((await performHttp({ method: "GET", url: `${origin}/data.json`, headers: {} }, { ...ctx, limits: { ...ctx.limits, maxResponseBytes: 4096 } })).body).toEqual({
      n: "x".repeat(1500),
    });
    await expect(performHttp({ method: "GET", url: `${origin}/big`, headers: {} }, ctx)).rejects.toMatchObject({
      code: "http_error",
      message: expect.stringContaining("is larger than 1600 bytes"),
    });
    await http.close();
  });
});
