// HostHttp: provider routing (dev/demo), size limit, timeouts.
import { createServer, type Server } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createHostHttp } from "../src/http/host-http.js";
import { parseProviderRoutes, providerRouter } from "../src/http/provider-routes.js";

let server: Server;
let origin = "";
beforeAll(async () => {
  server = createServer((req, res) => {
    if (req.url?.startsWith("/slow")) return void setTimeout(() => res.end("late"), 500);
    if (req.url === "/big") return void res.end("x".repeat(2048));
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
