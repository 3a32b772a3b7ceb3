export { createSquareApp, startSquareEmulator, type RunningSquareEmulator, type StartSquareEmulatorOptions } from "./server.js";
export {
  DEFAULT_APP,
  SquareEmulatorState,
  type AdvanceOptions,
  type ChangeSet,
  type RequestLogEntry,
  type SquareApp,
  type SquareEmulatorOptions,
} from "./state.js";
export { DEFAULT_MERCHANTS, type SquareMerchantSeed } from "./data.js";
export { CURSOR_TTL_MS } from "./cursors.js";
export type { FaultKind, FaultOptions, FaultRates, RateLimitOptions } from "./faults.js";
export { s256, ACCESS_TOKEN_TTL_MS, AUTHORIZATION_CODE_TTL_MS, PKCE_REFRESH_TOKEN_TTL_MS, type IssuedTokens } from "./tokens.js";
export { signSquareWebhook, verifySquareWebhook, type SquareWebhookEvent, type SquareWebhookType, type WebhookDelivery } from "./webhooks.js";
export { RECORD_DIR_ENV, ExchangeRecorder, type RecordedExchange } from "./recorder.js";
export { DEFAULT_SQUARE_VERSION, KNOWN_SQUARE_VERSIONS } from "./version.js";
export type * from "./types.js";
