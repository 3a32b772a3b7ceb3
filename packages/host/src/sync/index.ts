export { SyncEngine, StreamLockedError, streamScopeNotices, type SyncOutcome, type SyncProgress, type SyncResult } from "./sync.js";
export { backoffDelay } from "./backoff.js";
export { syncEngineForHost } from "../app/sync-engine.js";
export { startScheduler } from "./scheduler.js";
