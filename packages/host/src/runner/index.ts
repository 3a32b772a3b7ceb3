export { RouteRunner, type RouteRunResult } from "./runner.js";
export type { ConnectionServices, RouteLogEntry } from "./services.js";
export type { StagedRecord } from "./staging.js";
export { createUndiciTransport, DEFAULT_HTTP_LIMITS, type HttpTransport } from "./http.js";
export { PROCESS_CONTROL_DENIED, ROUTE_MEMORY_LIMIT } from "./route-guards.js";
export { ISOLATED_NEEDS_JAVASCRIPT, ISOLATED_NEEDS_PROTECTED_PATHS, ISOLATED_PATH_EXPOSED, type RouteIsolation } from "./isolation.js";
