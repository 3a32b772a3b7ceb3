// The Square connector manifest. Square has two fixed OAuth hosts (production and
// sandbox); the `environment` setting picks one, and this connector's squareEnvironmentHost
// normalizer (its provider plug-in, exported below) maps it to exactly one of the two
// allowed hosts before any URL is built.
import { defineConnector } from "@backfill-io/sdk";
import { rfc6749TokenPaths, TEST_CONNECTION_POST_CONNECT } from "@backfill-io/oauth-helpers";
import { SQUARE_HOSTS } from "./src/provider/index.js";

export { squareProviderPlugin as providerPlugin } from "./src/provider/index.js";

export default defineConnector({
  key: "square",
  name: "Square",
  provider: "square",
  kind: "source",
  version: "0.1.0",
  description: "Customers, orders (sales receipts) and refunds from Square, with host-managed OAuth.",
  permissions: {
    http: [`https://${SQUARE_HOSTS.production}/v2/*`, `https://${SQUARE_HOSTS.sandbox}/v2/*`],
    entities: {
      Customer: ["write"],
      SalesReceipt: ["write"],
      RefundReceipt: ["write"],
    },
    secrets: {
      webhook_signature_key: ["read"],
    },
  },
  connection: {
    testConnection: { route: "/setup/test_connection", method: "POST" },
    oauth: {
      type: "authorization_code",
      authorizationUrlTemplate: "https://{settings.environment}/oauth2/authorize",
      tokenUrlTemplate: "https://{settings.environment}/oauth2/token",
      revocationUrlTemplate: "https://{settings.environment}/oauth2/revoke",
      // Square's revoke is not RFC 7009: JSON { client_id, access_token }, Authorization: Client <secret>.
      revocationRequest: {
        method: "POST",
        encoding: "json",
        body: { client_id: "client_id", access_token: "access_token" },
        clientSecretAuthorizationScheme: "Client",
      },
      scopes: ["MERCHANT_PROFILE_READ", "CUSTOMERS_READ", "ORDERS_READ", "PAYMENTS_READ"],
      // Square also accepts space-separated scopes; "+" is what its docs show, a space encodes to it.
      scopeSeparator: " ",
      // Code flow (confidential client). For PKCE set pkce: true, client.authMethod: "none" and
      // refresh.rotatesRefreshToken: true: PKCE refresh tokens are single-use (README, "PKCE").
      pkce: false,
      // Listed because the templates use {settings.environment} (a manifest rule). The
      // schema default (production) satisfies it, so OAuth can start without the seller
      // choosing an environment.
      requiredSettings: ["environment"],
      client: { credentialKey: "square_public_app", authMethod: "client_secret_post" },
      tokenRequestEncoding: "json",
      // session=false: the seller must sign in to Square, not reuse a browser session.
      authorizationParams: { session: "false" },
      token: rfc6749TokenPaths({
        expiresAtPath: "expires_at",
        tokenTypePath: "token_type",
        accountIdPath: "merchant_id",
        // Sent with PKCE refresh tokens (single-use, 90 days); absent in the code flow.
        refreshExpiresAtPath: "refresh_token_expires_at",
      }),
      // Code-flow refresh tokens are reusable: the host keeps the same one.
      refresh: { enabled: true, rotatesRefreshToken: false },
      postConnect: TEST_CONNECTION_POST_CONNECT,
      hostValidation: {
        environment: {
          normalize: "squareEnvironmentHost",
          allowedHosts: [SQUARE_HOSTS.production, SQUARE_HOSTS.sandbox],
        },
      },
    },
    settingsSchema: {
      type: "object",
      // environment is not required: the host and the test runtime apply its default
      // (ajv useDefaults), so an absent environment means production.
      required: [],
      properties: {
        environment: {
          type: "string",
          title: "Square environment",
          description: "production (connect.squareup.com) or sandbox (connect.squareupsandbox.com).",
          enum: ["production", "sandbox"],
          default: "production",
        },
        webhook_signature_key: {
          type: "string",
          title: "Webhook signature key",
          description: "The signature key of the Square webhook subscription (Developer Console → Webhooks).",
          "x-secret": true,
        },
        webhook_notification_url: {
          type: "string",
          title: "Webhook notification URL",
          description: "The notification URL exactly as registered with Square. Only needed when the host does not send x-backfill-notification-url.",
          "x-placeholder": "https://hooks.example.com/square/acme",
        },
      },
    },
  },
  streams: [
    { name: "customers", route: "/sync/customers", entity: "customer" },
    { name: "orders", route: "/sync/orders", entity: "sales_receipt" },
    { name: "refunds", route: "/sync/refunds", entity: "refund_receipt" },
  ],
  // Served without the host API key: the route verifies the provider's signature itself.
  routes: { webhooks: ["/webhooks/square"] },
});
