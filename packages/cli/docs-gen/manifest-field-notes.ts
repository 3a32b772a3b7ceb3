// What each manifest field means, with an example: the prose the schema cannot carry. The
// reference page joins these to the rows read from the zod schema (schema-fields.ts); a
// field without a note is listed as such by the docs test.
export type FieldNote = { description: string; example?: string };

export const MANIFEST_FIELD_NOTES: Record<string, FieldNote> = {
  routes: {
    description:
      "Routes served without the host API key. A route whose `config.auth` is `public` or `webhook` must be listed here; otherwise the host requires the key for it (`route_auth_undeclared`) and `backfill validate` flags it.",
  },
  "routes.public": { description: "Route paths anyone may call.", example: '["/oauth/status"]' },
  "routes.webhooks": { description: "Webhook route paths (the provider calls them; the route verifies the signature).", example: '["/webhooks/shopify"]' },
  key: { description: "The connector's identifier: package `@backfill-io/connector-<key>`, redirect URI `/oauth/callback/<key>`, `backfill connect <key>`.", example: '"acme"' },
  name: { description: "The name people see (connect page, CLI tables).", example: '"Acme"' },
  provider: { description: "The provider's id, for provider-specific host behaviour (token exchange, revocation) and test-runtime state.", example: '"acme"' },
  kind: { description: "`source` reads from the provider into canonical records; `destination` is reserved." },
  version: { description: "Semver of the connector; `backfill validate` checks it equals package.json's version.", example: '"0.1.0"' },
  description: { description: "One line on the connect page and in listings." },
  permissions: { description: "Everything a route may touch; both the host and the test runtime refuse anything else (permission_denied)." },
  "permissions.http": {
    description:
      "URL patterns the connector may call: `https://host/path`, `*` as a whole host label or a path suffix. `auth.oauth` attaches the token only to the OAuth URLs' hosts and to fixed (non-wildcard) hosts here: a wildcard pattern gets a token only through a per-tenant OAuth host ({settings.x}).",
    example: '["https://api.acme.example.com/v1/*"]',
  },
  "permissions.entities": { description: 'Canonical entities the connector writes (or reads); a stream\'s entity needs "write".', example: '{ Customer: ["write"] }' },
  "permissions.secrets": {
    description: "Secret names routes may read with `Secrets.get` (x-secret settings, the webhook secret).",
    example: '{ webhook_signature_key: ["read"] }',
  },
  "permissions.files": {
    description:
      "Large provider files (`Files.download` / `readLines` / `remove`): without it every `Files.*` call is refused. Files are streamed to the host's data dir, never held whole in memory.",
  },
  "permissions.files.maxBytes": { description: "The largest file a route may download; a route's own `maxBytes` must be within it.", example: "2_000_000_000" },
  connection: { description: "How a connection is made and checked: OAuth, the settings form, the test route." },
  "connection.testConnection": { description: "The route `backfill connections test` and the dashboard call to prove a connection works." },
  "connection.testConnection.route": {
    description: "Route path under src/api (file `src/api/setup/test_connection.ts` for `/setup/test_connection`).",
    example: '"/setup/test_connection"',
  },
  "connection.testConnection.method": { description: "The exported handler called (`export const POST = api(...)`).", example: '"POST"' },
  "connection.oauth": {
    description: "The authorization-code flow the host runs for the connector; tokens never reach connector code except through `OAuth.accessToken()` / `auth.oauth`.",
  },
  "connection.oauth.type": { description: "Only the authorization-code grant is supported." },
  "connection.oauth.authorizationUrlTemplate": {
    description:
      "Where the merchant's browser is sent; `{settings.x}` placeholders are filled from settings (a placeholder in the host needs hostValidation and requiredSettings).",
    example: '"https://{settings.shop_domain}/admin/oauth/authorize"',
  },
  "connection.oauth.tokenUrlTemplate": {
    description: "The token endpoint for the code exchange and refreshes (same template rules).",
    example: '"https://acme.example.com/oauth/token"',
  },
  "connection.oauth.issuer": {
    description: "RFC 9207 issuer: when set, the callback's `iss` must equal it; when not, an `iss` that does come must be the authorization URL's origin (mix-up defence).",
  },
  "connection.oauth.optionalScopes": {
    description:
      "Scopes requested with the others whose absence does not fail the connect (e.g. Shopify's protected `read_all_orders`): the sync still runs, and the connection and the runs of the listed streams say what is not available and why.",
  },
  "connection.oauth.optionalScopes[].scope": { description: "The scope requested.", example: '"read_all_orders"' },
  "connection.oauth.optionalScopes[].withoutIt": {
    description: "What is not available when the grant lacks it, in words an operator understands.",
    example: '"orders older than 60 days are not available"',
  },
  "connection.oauth.optionalScopes[].streams": { description: "The streams whose runs carry the notice.", example: '["orders", "refunds"]' },
  "connection.oauth.revocationUrlTemplate": { description: "Where `connections disconnect` revokes the token; without it only the local copy is deleted." },
  "connection.oauth.revocationRequest": {
    description:
      'Default `rfc7009`: form `token` + `token_type_hint`, client authenticated as for the token endpoint. A provider\'s own shape is data: `{ method?: "POST" | "DELETE", encoding?: "form" | "json", body: { <field>: client_id | client_secret | access_token | refresh_token | grant_token }, clientSecretAuthorizationScheme?: <scheme> }` (`grant_token`: the refresh token, else the access token; the scheme sends `Authorization: <scheme> <client secret>`).',
    example: '{ encoding: "json", body: { client_id: "client_id", access_token: "access_token" }, clientSecretAuthorizationScheme: "Client" }',
  },
  "connection.oauth.scopes": {
    description:
      "Scopes requested and required. After the exchange the host compares the granted scopes with these (missing_scopes). When the token response has no scope field, the grant is taken to be exactly these (RFC 6749 §5.1). `backfill validate` refuses an empty list.",
    example: '["customers.read", "account.read"]',
  },
  "connection.oauth.scopeSeparator": { description: 'How scopes are joined in the authorization URL and split in the token response (Shopify: ",").' },
  "connection.oauth.accessType": { description: "Sent as `access_type` where the provider distinguishes offline and online tokens." },
  "connection.oauth.pkce": { description: "Send an S256 PKCE challenge; the verifier is stored encrypted and sent with the code. Required when client.authMethod is none." },
  "connection.oauth.requiredSettings": {
    description: "Settings that must be present before OAuth starts; every `{settings.x}` of a URL template must be listed.",
    example: '["shop_domain"]',
  },
  "connection.oauth.client": { description: "The OAuth app the host authenticates as." },
  "connection.oauth.client.credentialKey": {
    description: "The app credential name: `backfill credentials set <credentialKey> --client-id <id>` stores it (secret encrypted).",
    example: '"acme_app"',
  },
  "connection.oauth.client.authMethod": {
    description: "Default `client_secret_post` (secret in the body, RFC 6749 §2.3.1); `client_secret_basic` (HTTP Basic); `none` for a PKCE public client.",
  },
  "connection.oauth.client.webhookSecret": {
    description: "A secret name that reads as the app's client secret when the connection has none of its own (Shopify signs webhooks with it).",
  },
  "connection.oauth.token": { description: "Where the token response's fields are (dotted paths)." },
  "connection.oauth.token.accessTokenPath": { description: "The access token's path." },
  "connection.oauth.token.refreshTokenPath": { description: "The refresh token's path; required when refresh.enabled." },
  "connection.oauth.token.expiresInPath": { description: "Lifetime in seconds (RFC 6749 `expires_in`); set this or expiresAtPath." },
  "connection.oauth.token.expiresAtPath": { description: "Expiry as an ISO-8601 time (Square `expires_at`)." },
  "connection.oauth.token.refreshExpiresInPath": { description: "Refresh-token lifetime in seconds, when sent (Shopify `refresh_token_expires_in`)." },
  "connection.oauth.token.refreshExpiresAtPath": { description: "Refresh-token expiry as an ISO-8601 time, when sent." },
  "connection.oauth.token.scopePath": { description: "The granted scopes' path; default `scope`. Absent in the response: the requested scopes are assumed." },
  "connection.oauth.token.tokenTypePath": { description: "The token type's path; default `token_type`." },
  "connection.oauth.token.accountIdPath": { description: "A provider account id in the token response, kept as non-secret metadata (Square `merchant_id`)." },
  "connection.oauth.tokenRequestEncoding": { description: "`form` (RFC 6749) or `json` (Square) token request bodies." },
  "connection.oauth.tokenRequestParams": { description: "Extra parameters on the code exchange and refreshes.", example: '{ expiring: "1" }' },
  "connection.oauth.authorizationParams": { description: "Extra parameters on the authorization URL.", example: '{ session: "false" }' },
  "connection.oauth.refresh": {
    description: "Whether and how the host refreshes access tokens (before `OAuth.accessToken({ minTtlSeconds })` would hand out one about to expire).",
  },
  "connection.oauth.refresh.enabled": { description: "Refresh with the refresh token; when false an expired token means reauth_required." },
  "connection.oauth.refresh.rotatesRefreshToken": {
    description: "The provider replaces the refresh token on each use: the host stores the new one in the same transaction and never reuses a spent one.",
  },
  "connection.oauth.postConnect": {
    description:
      "The route the host runs right after the code exchange, with the new token: it must answer `providerAccountId` (and may answer providerAccountName); a failure stores nothing. `backfill validate` checks the file exists and answers the account.",
  },
  "connection.oauth.postConnect.route": { description: "Route path under src/api.", example: '"/setup/test_connection"' },
  "connection.oauth.postConnect.method": { description: "The exported handler called.", example: '"POST"' },
  "connection.oauth.callbackVerifiers": {
    description:
      "Named checks the host runs on the callback query before spending the code : the `callbackVerifiers` of a provider plug-in (`defineProviderPlugin`) the connector's backfill.config.ts exports as `providerPlugin`.",
    example: '["shopifyHmac"]',
  },
  "connection.oauth.hostValidation": {
    description: "For each setting used in a URL template's host: how its value is checked and normalized, so no setting can point the flow at another host.",
  },
  "connection.oauth.hostValidation.<name>": { description: "The rule for setting <name>; at least one of suffix, allowedHosts, normalize." },
  "connection.oauth.hostValidation.<name>.suffix": { description: "The normalized host must end with this, at a label boundary.", example: '".myshopify.com"' },
  "connection.oauth.hostValidation.<name>.allowedHosts": { description: "The normalized host must be one of these." },
  "connection.oauth.hostValidation.<name>.normalize": {
    description: "A named normalizer from a provider plug-in's `hostNormalizers` (exported by backfill.config.ts as `providerPlugin`; e.g. an admin URL → the shop host).",
    example: '"shopifyShopDomain"',
  },
  "connection.settingsSchema": {
    description:
      "JSON Schema of the connection's settings (ajv, defaults applied); the connect page's form is generated from it. OAuth connectors may not declare token-like settings.",
  },
  "connection.settingsSchema.type": { description: "Always an object." },
  "connection.settingsSchema.required": { description: "Settings every connection must have (each must be a property)." },
  "connection.settingsSchema.properties": {
    description: "One entry per setting, snake_case names. Unknown names given at connect are refused (unknown_setting, with the closest name).",
  },
  "connection.settingsSchema.properties.<name>": { description: "One setting." },
  "connection.settingsSchema.properties.<name>.type": { description: "The setting's JSON type." },
  "connection.settingsSchema.properties.<name>.title": { description: "The form label." },
  "connection.settingsSchema.properties.<name>.description": { description: "Help text under the form field." },
  "connection.settingsSchema.properties.<name>.enum": { description: "The allowed values (a select on the form)." },
  "connection.settingsSchema.properties.<name>.default": { description: "Applied by the host and the test runtime when the setting is absent." },
  "connection.settingsSchema.properties.<name>.x-secret": { description: "Stored encrypted, readable only with `Secrets.get` (declare it in permissions.secrets), never shown." },
  "connection.settingsSchema.properties.<name>.x-placeholder": { description: "The form field's placeholder." },
  streams: { description: "Sync streams: `backfill sync` calls each stream's route page after page until its checkpoint says hasMore: false." },
  "streams[].name": { description: "The stream's name (checkpoints, runs, `--stream`).", example: '"customers"' },
  "streams[].route": { description: "The route that serves one page.", example: '"/sync/customers"' },
  "streams[].entity": { description: 'The canonical entity it writes (Customer or customer, ...); needs a "write" grant.', example: '"customer"' },
  "streams[].schedule": {
    description:
      "How often the host syncs the stream (one pass, then a pause). Without it the host's default applies (`backfill serve --interval`). An operator may override it per connection (`PUT /api/connections/<id>/streams/<stream>/schedule`). Passes start up to 10% early (jitter), so streams of many connections spread out.",
  },
  "streams[].schedule.every": { description: "The pause between two passes: whole minutes, hours or days, at least 1m.", example: '"15m"' },
};

/** The cross-field rules (packages/sdk/src/manifest/rules.ts) by their rule code. */
export const MANIFEST_RULES: [string, string][] = [
  ["http_pattern", "each permissions.http entry is a valid URL pattern"],
  ["known_setting", "required settings, requiredSettings, {settings.x} placeholders and hostValidation keys name real properties"],
  ["secret_declared", "an x-secret setting, and client.webhookSecret, are readable in permissions.secrets"],
  ["known_entity / entity_grant", 'a stream\'s entity is canonical and granted "write"'],
  ["no_token_settings", "an OAuth connector declares no token-like or client-secret-like setting"],
  ["placeholder_required", "every {settings.x} in a URL template is in requiredSettings"],
  ["required (hostValidation)", "a placeholder in a URL's host has a hostValidation rule"],
  ["constrains_host", "a hostValidation rule sets suffix, allowedHosts or normalize"],
  [
    "known_normalizer / known_verifier",
    "normalize and callbackVerifiers name ones the connector's provider plug-in has (checked where the connector is loaded: host, test runtime, validate)",
  ],
  ["required (refreshTokenPath)", "refresh.enabled needs token.refreshTokenPath"],
  ["one_expiry", "expiresInPath or expiresAtPath, not both (likewise for the refresh token)"],
  ["public_client_pkce", "client.authMethod none needs pkce: true"],
  ["unknown_key", "no field outside this reference (typos point at themselves)"],
];
