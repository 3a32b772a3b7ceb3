// The manifest shapes of the owner's guide, unchanged, for validation tests.
import type { ConnectorManifestInput } from "../src/index.js";

const base = { key: "example", name: "Example", version: "0.1.0" } as const;

export const apiKeyManifest: ConnectorManifestInput = {
  ...base,
  permissions: {
    secrets: { api_key: ["read"] },
  },
  connection: {
    settingsSchema: {
      required: ["api_key"],
      properties: {
        api_key: { type: "string", "x-secret": true },
      },
    },
  },
};

export const genericOAuthManifest: ConnectorManifestInput = {
  ...base,
  permissions: {
    secrets: { webhook_secret: ["read"] },
  },
  connection: {
    oauth: {
      type: "authorization_code",
      authorizationUrlTemplate: "https://provider.example.com/oauth/authorize",
      tokenUrlTemplate: "https://provider.example.com/oauth/token",
      scopes: ["orders.read"],
      client: { credentialKey: "provider_public_app" },
    },
    settingsSchema: {
      required: [],
      properties: {},
    },
  },
};

export const squareOAuthManifest: ConnectorManifestInput = {
  ...base,
  key: "square",
  connection: {
    oauth: {
      type: "authorization_code",
      authorizationUrlTemplate: "https://connect.squareup.com/oauth2/authorize",
      tokenUrlTemplate: "https://connect.squareup.com/oauth2/token",
      scopes: ["PAYMENTS_READ", "ORDERS_READ", "CUSTOMERS_READ"],
      client: {
        credentialKey: "square_public_app",
      },
      refresh: { enabled: true },
      token: {
        accessTokenPath: "access_token",
        refreshTokenPath: "refresh_token",
        expiresInPath: "expires_in",
        scopePath: "scope",
      },
    },
  },
};
