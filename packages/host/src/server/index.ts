export { createServerApp, type ServerAppOptions } from "./app.js";
export { startHostServer, ListenError, type RunningServer, type StartHostServerOptions } from "./serve.js";
export { createApiKey, verifyApiKey, hashApiKey } from "./api-keys.js";
export { callbackUrl } from "./routes/oauth.js";
export { connectUrl } from "./routes/connect-sessions.js";
