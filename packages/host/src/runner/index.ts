export { RouteRunner, type RouteRunnerOptions, type RunRouteRequest, type RouteRunResult, type RouteOutcome, type RouteDescription, type DescribedRouteAccess } from "./runner.js";
export type { ConnectionServices, RouteLogEntry } from "./services.js";
export type { StagedWrites, StagedRecord, StagedCheckpoint } from "./staging.js";
export { createUndiciTransport, performHttp, DEFAULT_HTTP_LIMITS, type HttpTransport, type TransportRequest, type TransportResponse, type HttpLimits, type UndiciTransportOptions } from "./http.js";
export { PROCESS_CONTROL_DENIED, ROUTE_MEMORY_LIMIT } from "./route-guards.js";
export { ISOLATED_NEEDS_JAVASCRIPT, ISOLATED_NEEDS_PROTECTED_PATHS, ISOLATED_PATH_EXPOSED, type RouteIsolation } from "./isolation.js";
