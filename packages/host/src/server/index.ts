export { createServerApp, type ServerAppOptions } from "./app.js";
export { startHostServer, type RunningServer } from "./serve.js";
export { createApiKey, verifyApiKey, hashApiKey } from "./api-keys.js";
