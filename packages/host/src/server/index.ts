export { createServerApp, type ServerAppOptions } from "./app.js";
export { startHostServer, type RunningServer } from "./serve.js";
export { createApiKey, verifyApiKey, hashApiKey, revokeApiKey, validApiKeyName, ApiKeyError, API_KEY_NOT_FOUND, API_KEY_ALREADY_REVOKED, API_KEY_SELF_REVOKE, INVALID_API_KEY_NAME, type ApiKeyErrorCode, type ApiKeySummary } from "./api-keys.js";
export { hostApiKeysApp } from "./routes/keys.js";
