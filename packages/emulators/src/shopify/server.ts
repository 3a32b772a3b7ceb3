// The Shopify emulator's HTTP surface: a pure Hono app over a state object, and a starter
// that listens on 127.0.0.1.
import { serve, type ServerType } from "@hono/node-server";
import { Hono } from "hono";
import { loadAdminSchema } from "@backfill-io/shopify-admin-schema";
import { parse, validate } from "graphql";
import type { AddressInfo } from "node:net";
import { requireShop, type ShopifyEnv } from "./host.js";
import { registerGraphQLRoute } from "./graphql/route.js";
import { registerOAuthRoutes } from "./oauth.js";
import { registerBulkStorageRoute } from "./bulk/storage.js";
import { ShopifyEmulatorState, type ShopifyEmulatorOptions } from "./state.js";
import { deliverWebhook, type DeliverWebhookOptions, type WebhookDelivery, type WebhookTopic } from "./webhooks.js";

export function createShopifyApp(state: ShopifyEmulatorState): Hono<ShopifyEnv> {
  const app = new Hono<ShopifyEnv>();
  app.use("*", async (c, next) => {
    await next();
    state.requestLog.push({
      method: c.req.method,
      path: new URL(c.req.url).pathname,
      shop: c.get("shop")?.handle ?? null,
      status: c.res.status,
      at: state.now(),
    });
  });
  app.get("/__emulator/health", (c) => c.json({ ok: true, shops: [...state.shops.keys()] }));
  registerBulkStorageRoute(app, state.bulk, (path, presentedToken) => state.storageDownloads.push({ path, presentedToken }));
  app.use("/admin/*", requireShop(state));
  registerOAuthRoutes(app, state);
  registerGraphQLRoute(app, state);
  app.notFound((c) => c.json({ errors: "Not Found" }, 404));
  app.onError((error, c) => {
    // Never echo request data: it may hold tokens or secrets.
    console.error(`[shopify-emulator] ${error.name}: ${error.message}`);
    return c.json({ errors: "Internal Server Error" }, 500);
  });
  return app;
}

/** The state plus conveniences that need the whole emulator. */
export class ShopifyEmulator extends ShopifyEmulatorState {
  deliverWebhook(shop: string, topic: WebhookTopic | (string & {}), payload: unknown, url: string, options?: DeliverWebhookOptions): Promise<WebhookDelivery> {
    return deliverWebhook(this, shop, topic, payload, url, options);
  }
}

export interface StartShopifyEmulatorOptions extends ShopifyEmulatorOptions {
  port?: number;
}

export interface RunningShopifyEmulator {
  url: string;
  port: number;
  state: ShopifyEmulator;
  close(): Promise<void>;
}

export async function startShopifyEmulator(options: StartShopifyEmulatorOptions = {}): Promise<RunningShopifyEmulator> {
  const state = new ShopifyEmulator(options);
  // Build and validate the schema now, so the first API call does not pay for it (about a second).
  validate(loadAdminSchema(), parse("{ shop { id } }"));
  const app = createShopifyApp(state);
  const server = await new Promise<ServerType>((resolve, reject) => {
    const s = serve({ fetch: app.fetch, port: options.port ?? 0, hostname: "127.0.0.1" }, () => resolve(s));
    s.once("error", reject);
  });
  const port = (server.address() as AddressInfo).port;
  // bulk_operations/finish: delivered to the shop's subscription when a job finishes.
  const finishTimer = setInterval(() => void notifyBulkFinished(state), 200);
  finishTimer.unref();
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    state,
    close: () =>
      new Promise<void>((resolve, reject) => {
        clearInterval(finishTimer);
        state.releaseHangs();
        server.close((error) => (error ? reject(error) : resolve()));
        if ("closeAllConnections" in server) server.closeAllConnections();
      }),
  };
}

/** Delivers bulk_operations/finish for every job finished since the last call (errors are the receiver's). */
export async function notifyBulkFinished(state: ShopifyEmulator): Promise<void> {
  for (const done of state.bulk.takeFinished()) {
    const url = state.bulk.finishSubscriptions.get(done.shop);
    if (!url) continue;
    await state.deliverWebhook(done.shop, "bulk_operations/finish", done.payload, url, { clientId: done.clientId }).catch(() => undefined);
  }
}
