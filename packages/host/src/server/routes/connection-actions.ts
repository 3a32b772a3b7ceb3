// POST /api/connections/:id/sync (start a sync of every stream, or ?stream=<name>, in the
// background; follow it with GET /api/runs) and DELETE /api/connections/:id (revoke at the
// provider where it can, delete the tokens), behind a host API key.
import { Hono } from "hono";
import type { Host } from "../../app/open-host.js";
import type { RouteRunner } from "../../runner/runner.js";
import { syncEngineForHost } from "../../app/sync-engine.js";
import { StreamLockedError } from "../../sync/sync.js";
import { disconnect } from "../../tokens/revoke.js";
import { errorJson } from "../http-errors.js";
import type { ApiVariables } from "./connect-sessions.js";

export function connectionActionRoutes(host: Host, runner: RouteRunner): Hono<{ Variables: ApiVariables }> {
  const app = new Hono<{ Variables: ApiVariables }>();
  const engine = syncEngineForHost(host, runner);

  app.post("/:id/sync", async (c) => {
    const id = c.req.param("id");
    const row = await host.store.connections.get(id);
    if (!row) return errorJson(c, 404, "connection_not_found", `no connection ${id}`);
    if (row.status !== "active") return errorJson(c, 409, "connection_not_active", `connection ${id} is ${row.status}`, "reconnect it first");
    const stream = c.req.query("stream");
    const manifest = (await host.connectors.get(row.connector_key))?.manifest;
    if (stream && !manifest?.streams.some((s) => s.name === stream)) return errorJson(c, 404, "stream_not_found", `connector ${row.connector_key} has no stream ${stream}`);
    const startedAt = host.store.now();
    // The answer does not wait for the sync; its runs (and their progress) are in /api/runs.
    engine.syncConnection(id, stream ? { stream } : {}).catch((error: unknown) => {
      if (!(error instanceof StreamLockedError)) host.logger.error("sync requested over the API failed", { connectionId: id, error: (error as Error).message });
    });
    await host.store.auditLog.append("connection.sync_requested", { actor: c.get("apiKeyId"), connectionId: id, detail: { stream: stream ?? null } });
    return c.json({ connectionId: id, stream: stream ?? null, startedAt }, 202);
  });

  app.delete("/:id", async (c) => {
    const id = c.req.param("id");
    if (!(await host.store.connections.get(id))) return errorJson(c, 404, "connection_not_found", `no connection ${id}`);
    const result = await disconnect(host.tokens, id);
    return c.json(result);
  });

  return app;
}
