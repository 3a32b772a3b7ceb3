export { authWebhookDeliveryJson, type AuthWebhookDeliveryJson } from "./delivery-json.js";
export { startHostServer, type RunningServer, type StartHostServerOptions } from "./serve.js";
export { createApiKey, verifyApiKey } from "./api-keys.js";
export { revokeApiKey, API_KEY_NOT_FOUND, API_KEY_ALREADY_REVOKED, API_KEY_SELF_REVOKE, INVALID_API_KEY_NAME, type ApiKeyErrorCode } from "./api-keys.js";
