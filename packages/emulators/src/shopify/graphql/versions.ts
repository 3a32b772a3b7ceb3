// Which Admin API version serves a request. Shopify serves a supported version as asked; a
// retired one falls forward to the oldest supported stable version (no error); anything else
// (not a version, or one not released) has no API. Every response names the version in
// X-Shopify-API-Version. https://shopify.dev/docs/api/usage/versioning
import type { MiddlewareHandler } from "hono";
import type { ShopifyEnv } from "../host.js";

const STABLE_VERSION = /^\d{4}-(01|04|07|10)$/;

export const API_VERSION_HEADER = "X-Shopify-API-Version";

/** The version that serves `requested`, or undefined when there is no such API. */
export function servedApiVersion(supported: ReadonlySet<string>, requested: string): string | undefined {
  if (supported.has(requested)) return requested;
  if (!STABLE_VERSION.test(requested)) return undefined;
  const oldest = [...supported].filter((v) => STABLE_VERSION.test(v)).sort()[0];
  return oldest !== undefined && requested < oldest ? oldest : undefined;
}

/** Resolves `:version`, answers 404 when there is none, and stamps the header on every response. */
export function apiVersionMiddleware(supported: ReadonlySet<string>): MiddlewareHandler<ShopifyEnv> {
  return async (c, next) => {
    const served = servedApiVersion(supported, c.req.param("version") ?? "");
    if (served === undefined) return c.json({ errors: "Not Found" }, 404);
    c.set("apiVersion", served);
    await next();
    c.res.headers.set(API_VERSION_HEADER, served);
  };
}
