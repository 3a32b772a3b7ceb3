// Which shop a request is for. Real Shopify serves every shop on its own host; the Backfill
// host routes https://acme.myshopify.com/... here and keeps that name in Host or X-Forwarded-Host.
import type { MiddlewareHandler } from "hono";
import type { ShopRecord } from "./data.js";
import type { ShopifyEmulatorState } from "./state.js";

export interface ShopifyEnv {
  /** apiVersion: the Admin API version serving an /admin/api/:version request. */
  Variables: { shop: ShopRecord; apiVersion: string };
}

const SHOP_HOST = /^([a-z0-9][a-z0-9-]*)\.myshopify\.com$/;

/** `acme` for `acme.myshopify.com[:port]`, else undefined. */
export function shopHandleFromHost(host: string | undefined): string | undefined {
  if (!host) return undefined;
  const first = host.split(",")[0]?.trim().toLowerCase() ?? "";
  const withoutPort = first.replace(/:\d+$/, "");
  return SHOP_HOST.exec(withoutPort)?.[1];
}

/**
 * The shop a request names: X-Forwarded-Host, then Host, then a `shop` query parameter
 * (for a browser sent straight to the emulator), then the emulator's `defaultShop`.
 * The first that names a myshopify.com host decides, so an unknown shop is a 404.
 */
export function shopHandleForRequest(headers: { forwardedHost?: string; host?: string }, shopParam: string | undefined, defaultShop: string | undefined): string | undefined {
  return shopHandleFromHost(headers.forwardedHost) ?? shopHandleFromHost(headers.host) ?? shopHandleFromHost(shopParam) ?? defaultShop;
}

export function requireShop(state: ShopifyEmulatorState): MiddlewareHandler<ShopifyEnv> {
  return async (c, next) => {
    const handle = shopHandleForRequest({ forwardedHost: c.req.header("x-forwarded-host"), host: c.req.header("host") }, c.req.query("shop"), state.defaultShop);
    const shop = handle === undefined ? undefined : state.shops.get(handle);
    if (!shop) {
      return c.html("<!DOCTYPE html><html><body><h1>Sorry, this shop is currently unavailable.</h1></body></html>", 404);
    }
    c.set("shop", shop);
    await next();
  };
}
