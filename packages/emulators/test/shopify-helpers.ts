import { startShopifyEmulator, type RunningShopifyEmulator, type StartShopifyEmulatorOptions } from "../src/shopify/index.js";

export const CLIENT_ID = "emulator-test-app";
export const CLIENT_SECRET = "canary-client-secret-7f3a";
export const REDIRECT_URI = "https://host.backfill.test/oauth/callback";

export async function start(options: StartShopifyEmulatorOptions = {}): Promise<RunningShopifyEmulator> {
  return startShopifyEmulator({
    apps: [{ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, scopes: ["read_customers", "read_orders", "read_all_orders"], redirectUris: [REDIRECT_URI] }],
    shops: ["acme", "beta"],
    seed: 42,
    customers: 30,
    orders: 120,
    ...options,
  });
}

/** fetch against a shop: Node's fetch drops Host, so the shop travels in X-Forwarded-Host. */
export function shopFetch(emulator: RunningShopifyEmulator, shop: string, path: string, init: RequestInit = {}): Promise<Response> {
  const headers = new Headers(init.headers);
  headers.set("X-Forwarded-Host", `${shop}.myshopify.com`);
  return fetch(`${emulator.url}${path}`, { redirect: "manual", ...init, headers });
}

export interface GraphQLBody {
  data?: Record<string, unknown> | null;
  errors?: unknown;
  extensions?: {
    cost: { requestedQueryCost: number; actualQueryCost: number | null; throttleStatus: { maximumAvailable: number; currentlyAvailable: number; restoreRate: number } };
  };
}

export async function graphql(
  emulator: RunningShopifyEmulator,
  shop: string,
  token: string,
  query: string,
  variables?: Record<string, unknown>,
): Promise<{ status: number; body: GraphQLBody }> {
  const response = await shopFetch(emulator, shop, "/admin/api/2026-10/graphql.json", {
    method: "POST",
    headers: { "Content-Type": "application/json", "X-Shopify-Access-Token": token },
    body: JSON.stringify({ query, variables }),
  });
  return { status: response.status, body: (await response.json()) as GraphQLBody };
}
