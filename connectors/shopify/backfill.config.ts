// The Shopify connector manifest: the guide's, brought up to date with expiring offline
// access tokens (required for public apps), rotation of the refresh token on every use,
// and the callback HMAC verifier the host runs before exchanging the code.
import { defineConnector, type ConnectorManifestInput } from "@backfill-io/sdk";

export const manifestInput = {
  key: "shopify",
  name: "Shopify",
  provider: "shopify",
  kind: "source",
  version: "0.1.0",
  description: "Customers, orders (sales receipts) and refunds (refund receipts) from the Shopify Admin GraphQL API.",
  permissions: {
    http: ["https://*.myshopify.com/*"],
    entities: {
      Customer: ["write"],
      SalesReceipt: ["write"],
      RefundReceipt: ["write"],
    },
    secrets: {
      // The webhook HMAC key. When the merchant sets none, the host provides the app's
      // client secret under this name (Shopify signs app webhooks with it).
      webhook_secret: ["read"],
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
      scopeSeparator: ",",
      accessType: "offline",
      pkce: false,
      requiredSettings: ["shop_domain"],
      // Shopify signs app webhooks with the app's client secret: webhook_secret reads as it
      // unless the merchant set one (admin-created webhooks are signed with the store's key).
      client: { credentialKey: "shopify_public_app", webhookSecret: "webhook_secret" },
      // Expiring offline tokens: the access token lives an hour, the refresh token is
      // replaced on every refresh.
      tokenRequestParams: { expiring: "1" },
      token: {
        accessTokenPath: "access_token",
        refreshTokenPath: "refresh_token",
        expiresInPath: "expires_in",
        refreshExpiresInPath: "refresh_token_expires_in",
        scopePath: "scope",
      },
      refresh: { enabled: true, rotatesRefreshToken: true },
      postConnect: { route: "/setup/test_connection", method: "POST" },
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
    { name: "refunds", route: "/sync/refunds", entity: "refund_receipt" },
  ],
} satisfies ConnectorManifestInput;

export default defineConnector(manifestInput);
