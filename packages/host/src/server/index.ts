export { createServerApp, type ServerAppOptions } from "./app.js";
export { startHostServer, ListenError, type RunningServer, type StartHostServerOptions } from "./serve.js";
export { createApiKey, verifyApiKey, hashApiKey } from "./api-keys.js";
export { callbackUrl } from "./routes/oauth.js";
export { connectUrl } from "./routes/connect-sessions.js";
export { revokeApiKey, validApiKeyName, ApiKeyError, API_KEY_NOT_FOUND, API_KEY_ALREADY_REVOKED, API_KEY_SELF_REVOKE, INVALID_API_KEY_NAME, type ApiKeyErrorCode, type ApiKeySummary } from "./api-keys.js";
export { hostApiKeysApp } from "./routes/keys.js";
