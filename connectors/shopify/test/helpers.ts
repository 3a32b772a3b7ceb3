// Shared test setup: a connected runtime with canary token values that must never
// appear in a log line or a response.
import { createHmac, randomUUID } from "node:crypto";
import { afterEach } from "vitest";
import { CanaryGuard, connectorTestRuntime, fixtureReader, type ConnectorTestRuntimeOptions, type TestOAuthState } from "@backfill-io/sdk/testing";

export const ACCESS_CANARY = "shpat_CANARYaccess0123456789abcdef";
export const REFRESH_CANARY = "shprt_CANARYrefresh0123456789abcdef";
/** The app's client secret, as the host provides it under app_webhook_secret. */
export const WEBHOOK_SECRET = "whsec_CANARY_app_client_secret_42";
/** A store's own webhook key (webhooks made in the Shopify admin), the webhook_secret setting. */
export const STORE_WEBHOOK_SECRET = "whsec_CANARY_store_key_0123456789";
export const SHOP = "acme.myshopify.com";
export const GRAPHQL_URL = `https://${SHOP}/admin/api/2026-10/graphql.json`;
export const SCOPES = ["read_customers", "read_orders"];

export const fixture = fixtureReader(new URL("./fixtures/", import.meta.url)).json;

const canaries = new CanaryGuard([ACCESS_CANARY, REFRESH_CANARY]);

/** After each test, every runtime connectedRuntime made for it leaked none of `secrets`, and is restored. */
export function expectNoLeaksAfterEach(secrets: readonly string[] = [ACCESS_CANARY, REFRESH_CANARY]): void {
  canaries.afterEach(afterEach, secrets);
}

export function connectedRuntime(opts: Omit<ConnectorTestRuntimeOptions, "oauth"> & { oauth?: Partial<TestOAuthState> } = {}) {
  const { oauth, ...rest } = opts;
  const runtime = connectorTestRuntime({
    settings: { shop_domain: "Acme" },
    secrets: { app_webhook_secret: WEBHOOK_SECRET },
    ...rest,
    oauth: {
      accessToken: ACCESS_CANARY,
      refreshToken: REFRESH_CANARY,
      expiresAt: Date.now() + 3600_000,
      scopes: SCOPES,
      requiredScopes: SCOPES,
      provider: "shopify",
      ...oauth,
    },
  });
  return canaries.track(runtime);
}

export function signed(body: unknown, secret = WEBHOOK_SECRET) {
  const rawBody = JSON.stringify(body);
  return { rawBody, hmac: createHmac("sha256", secret).update(rawBody, "utf8").digest("base64") };
}

/** The headers Shopify sends with a delivery triggered now: a fresh webhook id and event id each time. */
export function deliveryHeaders(topic: string, overrides: Record<string, string> = {}): Record<string, string> {
  return {
    "Content-Type": "application/json",
    "X-Shopify-Topic": topic,
    "X-Shopify-Shop-Domain": SHOP,
    "X-Shopify-Webhook-Id": randomUUID(),
    "X-Shopify-Event-Id": randomUUID(),
    "X-Shopify-Triggered-At": new Date().toISOString(),
    "X-Shopify-API-Version": "2026-10",
    ...overrides,
  };
}

/** The base64 HMAC-SHA256 of `bytes`, as Shopify signs a body. */
export function signBytes(bytes: Uint8Array, secret = WEBHOOK_SECRET): string {
  return createHmac("sha256", secret).update(bytes).digest("base64");
}

/**
 * The count query a new pass starts with (lib/bulk/choose.ts): `count` records, so a small
 * pass pages and a large one runs in bulk. One body answers both streams' count documents.
 */
export function scriptPassCount(runtime: { http: { postOnce(url: string, response: { body: unknown }): unknown } }, count = 3): void {
  runtime.http.postOnce(GRAPHQL_URL, { body: { data: { ordersCount: { count, precision: "EXACT" }, customersCount: { count, precision: "EXACT" } } } });
}
