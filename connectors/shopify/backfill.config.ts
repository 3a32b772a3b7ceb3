// The Shopify connector manifest: the guide's, brought up to date with expiring offline
// access tokens (required for public apps), rotation of the refresh token on every use,
// and the callback HMAC verifier the host runs before exchanging the code.
import { defineConnector, type ConnectorManifestInput } from "@backfill-io/sdk";
import { rfc6749TokenPaths, TEST_CONNECTION_POST_CONNECT } from "@backfill-io/oauth-helpers";

export { shopifyProviderPlugin as providerPlugin } from "./src/provider/index.js";

export const manifestInput = {
  key: "shopify",
  name: "Shopify",
  provider: "shopify",
  kind: "source",
  version: "0.1.0",
  description: "Customers, orders (sales receipts) and refunds (refund receipts) from the Shopify Admin GraphQL API.",
  permissions: {
    // storage.googleapis.com: bulk operation results (signed URLs, fetched without the token).
    http: ["https://*.myshopify.com/*", "https://storage.googleapis.com/*"],
    // A bulk result file (lib/bulk/bulk-pass.ts BULK_FILE_MAX_BYTES).
    files: { maxBytes: 4 * 1024 ** 3 },
    entities: {
      Customer: ["write"],
      SalesReceipt: ["write"],
      RefundReceipt: ["write"],
    },
    secrets: {
      // The two webhook HMAC keys. app_webhook_secret is not a setting: the host reads it as
      // the app's client secret (client.webhookSecret), which signs every app webhook,
      // including app/uninstalled and the compliance topics. webhook_secret is the store's
      // own key, set by the merchant only for webhooks made in the Shopify admin.
      webhook_secret: ["read"],
      app_webhook_secret: ["read"],
    },
  },
  connection: {
    testConnection: { route: "/setup/test_connection", method: "POST" },
    oauth: {
      type: "authorization_code",
      authorizationUrlTemplate: "https://{settings.shop_domain}/admin/oauth/authorize",
      tokenUrlTemplate: "https://{settings.shop_domain}/admin/oauth/access_token",
      // Refunds are read through orders in GraphQL, so read_orders covers them.
      scopes: ["read_customers", "read_orders"],
      // Without read_all_orders Shopify serves only the last 60 days of orders (and so of
      // refunds). It is a protected scope Shopify must approve for the app: requested always,
      // and a grant without it still connects; every orders/refunds run then says so.
      optionalScopes: [{ scope: "read_all_orders", withoutIt: "orders (and their refunds) older than 60 days are not available", streams: ["orders"] }],
      scopeSeparator: ",",
      accessType: "offline",
      pkce: false,
      requiredSettings: ["shop_domain"],
      // Shopify signs app webhooks with the app's client secret: app_webhook_secret reads as
      // it. A separate name from webhook_secret, so a merchant's store key never hides it.
      client: { credentialKey: "shopify_public_app", webhookSecret: "app_webhook_secret" },
      // Expiring offline tokens: the access token lives an hour, the refresh token is
      // replaced on every refresh.
      tokenRequestParams: { expiring: "1" },
      token: rfc6749TokenPaths({ expiresInPath: "expires_in", refreshExpiresInPath: "refresh_token_expires_in", scopePath: "scope" }),
      refresh: { enabled: true, rotatesRefreshToken: true },
      postConnect: TEST_CONNECTION_POST_CONNECT,
      callbackVerifiers: ["shopifyHmac"],
      hostValidation: {
        shop_domain: { suffix: ".myshopify.com", normalize: "shopifyShopDomain" },
      },
    },
    settingsSchema: {
      type: "object",
      required: ["shop_domain"],
      properties: {
        shop_domain: {
          type: "string",
          title: "Shop domain",
          description: "acme, acme.myshopify.com or admin.shopify.com/store/acme",
          "x-placeholder": "acme.myshopify.com",
        },
        webhook_secret: {
          type: "string",
          title: "Webhook signing secret",
          description: "Only for webhooks created in the Shopify admin (Settings → Notifications); app webhooks are signed with the app's client secret, which the host supplies.",
          "x-secret": true,
        },
      },
    },
  },
  streams: [
    { name: "customers", route: "/sync/customers", entity: "customer" },
    { name: "orders", route: "/sync/orders", entity: "sales_receipt" },
  ],
  // Served without the host API key: the route verifies the provider's signature itself.
  routes: { webhooks: ["/webhooks/shopify"] },
} satisfies ConnectorManifestInput;

export default defineConnector(manifestInput);
