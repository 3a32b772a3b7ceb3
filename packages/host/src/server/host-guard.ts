// DNS rebinding: a page on evil.example whose name resolves to 127.0.0.1 reaches the host
// with `Host: evil.example`. Only the host names the operator serves under are answered.
import type { MiddlewareHandler } from "hono";
import { errorJson } from "./http-errors.js";

const LOOPBACK = new Set(["127.0.0.1", "localhost", "[::1]"]);

/** The Host header values a server at `publicUrl` (listening on `port`) answers. */
export function defaultAllowedHosts(publicUrl: string, port: number): string[] {
  const url = new URL(publicUrl);
  const hosts = new Set([url.host]);
  if (LOOPBACK.has(url.hostname)) for (const name of LOOPBACK) hosts.add(`${name}:${port}`);
  return [...hosts];
}

export function hostGuard(allowed: readonly string[]): MiddlewareHandler {
  const set = new Set(allowed.map((h) => h.toLowerCase()));
  return async (c, next) => {
    const host = (c.req.header("host") ?? "").toLowerCase();
    if (!set.has(host)) {
      return errorJson(
        c,
        403,
        "host_not_allowed",
        `this server does not answer for host ${JSON.stringify(host.slice(0, 100))}`,
        "serve with --public-url set to the URL clients use",
      );
    }
    await next();
  };
}
