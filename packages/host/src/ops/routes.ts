// Operator endpoints. /healthz (liveness: the process answers) and /readyz (the store and
// the queue answer) are anonymous and say nothing but ok/not ok per dependency. /metrics
// needs a host API key (Authorization: Bearer …; Prometheus' `authorization.credentials_file`),
// on the main server and on a worker's own metrics listener alike.
import { Hono } from "hono";
import type { Store } from "../store/store.js";
import type { JobQueue } from "../queue/queue.js";
import { verifyApiKey } from "../server/api-keys.js";
import { errorJson } from "../server/http-errors.js";
import type { HostMetrics } from "./metrics.js";

export const NOT_READY = "not_ready";
export const METRICS_UNAUTHORIZED = "unauthorized";

export type OpsRoutesOptions = { store: Store; queue?: JobQueue; metrics?: HostMetrics };

function storeAnswers(store: Store): Promise<boolean> {
  return store.answers();
}

export function opsRoutes(opts: OpsRoutesOptions): Hono {
  const app = new Hono();
  app.get("/healthz", (c) => c.json({ ok: true }));
  app.get("/readyz", async (c) => {
    const checks: Record<string, "ok" | "down"> = { store: (await storeAnswers(opts.store)) ? "ok" : "down" };
    if (opts.queue) checks.queue = (await opts.queue.ping()) ? "ok" : "down";
    const ready = Object.values(checks).every((v) => v === "ok");
    if (!ready) return c.json({ error: { code: NOT_READY, message: "a dependency does not answer" }, checks }, 503);
    return c.json({ ready: true, checks });
  });
  app.get("/metrics", async (c) => {
    if (!(await verifyApiKey(opts.store, c.req.header("authorization")))) return errorJson(c, 401, METRICS_UNAUTHORIZED, "/metrics needs Authorization: Bearer <host API key>");
    if (!opts.metrics) return errorJson(c, 404, "not_found", "this process keeps no metrics");
    return c.text(await opts.metrics.registry.metrics(), 200, { "content-type": opts.metrics.registry.contentType });
  });
  return app;
}
