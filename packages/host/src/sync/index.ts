export { SyncEngine, StreamLockedError, streamScopeNotices, type SyncSlice, type SyncSliceNext, type SyncDeps, type SyncOptions, type SyncOutcome, type SyncProgress, type SyncResult, type ResolvedSyncConnection } from "./sync.js";
export { backoffDelay, type BackoffPolicy } from "./backoff.js";
export { syncEngineForHost } from "../app/sync-engine.js";
export { commitStaged } from "./commit.js";
export { startScheduler, type Scheduler, type SchedulerOptions } from "./scheduler.js";
