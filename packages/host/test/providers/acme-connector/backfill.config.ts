// A connector for "Acme", a provider the SDK, host and CLI have never heard of: its quirks
// come as data (an odd revocation request) and as the plug-in exported below.
import { defineConnector } from "@backfill-io/sdk";

export { acmeProviderPlugin as providerPlugin } from "./src/provider/index.js";

export default defineConnector({
  key: "acme",
  name: "Acme",
  provider: "acme",
  version: "0.1.0",
  permissions: { http: ["https://*.acme.example/*"] },
  connection: {
    settingsSchema: { required: ["tenant"], properties: { tenant: { type: "string" } } },
    oauth: {
      type: "authorization_code",
      authorizationUrlTemplate: "https://{settings.tenant}/oauth/authorize",
      tokenUrlTemplate: "https://{settings.tenant}/oauth/token",
      revocationUrlTemplate: "https://{settings.tenant}/v1/grants",
      // Acme's revocation is not RFC 7009: DELETE with JSON { app, grant }, Authorization: AcmeApp <secret>.
      revocationRequest: { method: "DELETE", encoding: "json", body: { app: "client_id", grant: "grant_token" }, clientSecretAuthorizationScheme: "AcmeApp" },
      scopes: ["orders:read"],
      requiredSettings: ["tenant"],
      hostValidation: { tenant: { normalize: "acmeTenantHost", suffix: ".acme.example" } },
      callbackVerifiers: ["acmeSignature"],
      client: { credentialKey: "acme_app" },
      token: { accessTokenPath: "access_token", refreshTokenPath: "refresh_token", expiresInPath: "expires_in", scopePath: "scope" },
      refresh: { enabled: true },
      postConnect: { route: "/setup/test_connection", method: "POST" },
    },
  },
});
