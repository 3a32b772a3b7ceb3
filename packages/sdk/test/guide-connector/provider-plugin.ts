// Not in the guide: the SDK knows no provider, so the normalizer the guide's manifest names
// comes from a provider plug-in exported beside it. A test fixture standing in for the
// Shopify connector's (connectors/shopify/src/provider): it accepts a myshopify.com host only.
import { defineProviderPlugin } from "@backfill-io/sdk";

const SHOP_HOST = /^[a-z0-9][a-z0-9-]*\.myshopify\.com$/;

export const guideProviderPlugin = defineProviderPlugin({
  provider: "shopify",
  hostNormalizers: {
    shopifyShopDomain: (value) => {
      const host = typeof value === "string" ? value.trim().toLowerCase() : "";
      return SHOP_HOST.test(host) ? { ok: true, value: host } : { ok: false, message: `${JSON.stringify(value)} is not a myshopify.com host` };
    },
  },
});
