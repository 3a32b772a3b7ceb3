export { createHostMetrics, type HostMetrics } from "./metrics.js";
export { opsRoutes, NOT_READY, METRICS_UNAUTHORIZED, type OpsRoutesOptions } from "./routes.js";
export { startOpsServer, type OpsServer } from "./ops-server.js";
