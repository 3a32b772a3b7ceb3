export { createHostMetrics } from "./metrics.js";
export { opsRoutes, NOT_READY, METRICS_UNAUTHORIZED } from "./routes.js";
export { startOpsServer, type OpsServer } from "./ops-server.js";
