// Square's provider plug-in: its environment normalizer, token shapes for the redactor and
// scope descriptions. backfill.config.ts exports it as `providerPlugin`; whoever loads the
// manifest registers it (nothing registers itself on import).
import { defineProviderPlugin, REDACTED } from "@backfill-io/sdk";
import { squareEnvironmentHost } from "./environment-host.js";

export { SQUARE_HOSTS, squareEnvironmentHost } from "./environment-host.js";

export const squareProviderPlugin = defineProviderPlugin({
  provider: "square",
  hostNormalizers: { squareEnvironmentHost },
  // Square access and refresh tokens.
  tokenPatterns: [{ pattern: /\bE[AQ]AA[A-Za-z0-9_-]{12,}/g, replacement: REDACTED }],
  scopeDescriptions: {
    MERCHANT_PROFILE_READ: "Read your business profile and locations",
    CUSTOMERS_READ: "Read your customer directory",
    ORDERS_READ: "Read your orders",
    PAYMENTS_READ: "Read your payments and refunds",
  },
});
