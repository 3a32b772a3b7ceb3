// Shopify's provider plug-in: the code quirks the host and the SDK apply on this connector's
// behalf. backfill.config.ts exports it as `providerPlugin`; whoever loads the manifest
// registers it (nothing registers itself on import).
import { defineProviderPlugin, REDACTED } from "@backfill-io/sdk";
import { shopifyCallbackVerifier } from "./callback-hmac.js";
import { shopifyShopDomain } from "./shop-domain.js";
import { shopifyTokenExchange } from "./token-exchange.js";

export { shopifyCallbackHmac, shopifyCallbackMessage, shopifyCallbackVerifier } from "./callback-hmac.js";
export { shopifyShopDomain } from "./shop-domain.js";
export { shopifyTokenExchange, SHOPIFY_OFFLINE_TOKEN_TYPE, TOKEN_EXCHANGE_GRANT } from "./token-exchange.js";

export const shopifyProviderPlugin = defineProviderPlugin({
  provider: "shopify",
  hostNormalizers: { shopifyShopDomain },
  callbackVerifiers: { shopifyHmac: shopifyCallbackVerifier },
  tokenPatterns: [
    // shpat_ (Admin API), shpca_ (custom app), shppa_ (private app), shpua_ (user) and kin.
    { pattern: /\b(shp[a-z]{2})_[A-Za-z0-9]{6,}/g, replacement: (_m, prefix: string) => `${prefix}_${REDACTED}` },
  ],
  tokenMigration: shopifyTokenExchange,
  scopeDescriptions: {
    read_customers: "Read your customers (names, emails, addresses)",
    read_orders: "Read your orders and refunds",
  },
});
