// Per-connection stream schedules over the JSON API (a host API key, or the dashboard's
// session with its CSRF token): GET /api/connections/:id/schedules lists every stream's
// interval and where it comes from; PUT /api/connections/:id/streams/:stream/schedule with
// {"every":"1h"} overrides the manifest's (or the host default), {"every":null} removes the
// override. The next pass of the stream is scheduled with it (a pass under way is not cut).
import { Hono, type Context } from "hono";
import { MIN_SCHEDULE_MS, scheduleEveryMs } from "@backfill-io/sdk";
import type { Host } from "../../app/open-host.js";
import { errorJson } from "../http-errors.js";
import type { ApiVariables } from "./connect-sessions.js";

export const SCHEDULE_INVALID = "schedule_invalid";

/** What the schedules answer says of the default (the server's `--interval`); undefined: not known here. */
export type StreamScheduleOptions = { defaultIntervalMs?: number };

async function connectionStreams(host: Host, c: Context, id: string) {
  const row = await host.store.connections.get(id);
  if (!row) return { error: errorJson(c, 404, "connection_not_found", `no connection ${id}`) };
  const manifest = (await host.connectors.get(row.connector_key))?.manifest;
  return { streams: manifest?.streams ?? [], connector: row.connector_key };
}

export function streamScheduleRoutes(host: Host, opts: StreamScheduleOptions = {}): Hono<{ Variables: ApiVariables }> {
  const app = new Hono<{ Variables: ApiVariables }>();

  app.get("/:id/schedules", async (c) => {
    const id = c.req.param("id");
    const found = await connectionStreams(host, c, id);
    if (found.error) return found.error;
    const overrides = await host.store.schedules.ofConnection(id);
    const schedules = found.streams.map((s) => {
      const override = overrides.get(s.name);
      if (override !== undefined) return { stream: s.name, everyMs: override, source: "connection" };
      const fromManifest = s.schedule ? scheduleEveryMs(s.schedule.every) : undefined;
      if (fromManifest !== undefined) return { stream: s.name, everyMs: fromManifest, source: "manifest" };
      return { stream: s.name, everyMs: opts.defaultIntervalMs ?? null, source: "default" };
    });
    return c.json({ schedules });
  });

  app.put("/:id/streams/:stream/schedule", async (c) => {
    const id = c.req.param("id");
    const stream = c.req.param("stream");
    const found = await connectionStreams(host, c, id);
    if (found.error) return found.error;
    if (!found.streams.some((s) => s.name === stream)) return errorJson(c, 404, "stream_not_found", `connector ${found.connector} has no stream ${stream}`);
    const body = (await c.req.json().catch(() => undefined)) as { every?: unknown } | undefined;
    const every = body?.every;
    if (every === null) {
      await host.store.schedules.clear(id, stream);
    } else {
      const ms = typeof every === "string" ? scheduleEveryMs(every) : undefined;
      if (ms === undefined || ms < MIN_SCHEDULE_MS)
        return errorJson(c, 400, SCHEDULE_INVALID, 'every must be a duration of whole minutes, hours or days (like "15m", "1h", "1d"), or null to remove the override');
      await host.store.schedules.set(id, stream, ms);
    }
    await host.store.auditLog.append("connection.schedule_changed", { actor: c.get("apiKeyId"), connectionId: id, detail: { stream, every: every ?? null } });
    return c.json({ ok: true, stream, every: every ?? null });
  });

  return app;
}
