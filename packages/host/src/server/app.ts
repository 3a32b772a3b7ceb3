// The host's HTTP server (Hono): OAuth start/callback, connector routes guarded by
// their exported config.auth, a JSON API over connections, runs and records, health.
// Every response body passes the SDK redactor on its way out.
import { Hono, type Context } from "hono";
import { bodyLimit } from "hono/body-limit";
import { requestId } from "hono/request-id";
import { secureHeaders } from "hono/secure-headers";
import { isBackfillError, redact, ROUTE_AUTH_UNDECLARED } from "@backfill-io/sdk";
import type { Host } from "../app/open-host.js";
import type { RecordRow } from "../store/repositories/records.js";
import type { ConnectionRow } from "../store/repositories/connections.js";
import { STORE_ROW_CORRUPT } from "../store/repositories/json-columns.js";
import { authWebhookDeliveryJson } from "./delivery-json.js";
import { hostConnectionServices } from "../app/runner-services.js";
import type { RouteRunner } from "../runner/runner.js";
import { commitStaged } from "../sync/commit.js";
import { MASTER_KEY_ROTATED } from "../vault/cipher.js";
import { verifyApiKey } from "./api-keys.js";
import { hostGuard } from "./host-guard.js";
import { isRevealed } from "./reveal.js";
import { clampLimit, errorJson } from "./http-errors.js";
import { connectSessionRoutes, type ApiVariables } from "./routes/connect-sessions.js";
import { oauthRoutes } from "./routes/oauth.js";
import { hostApiKeysApp } from "./routes/keys.js";
import { assetRoutes } from "./ui/assets.js";
import { connectRoutes } from "./ui/connect-routes.js";
import { dashboardRoutes } from "./ui/dashboard-routes.js";
import { csrfValid, DashboardSessions, CSRF_HEADER } from "./ui/dashboard-session.js";
import { connectionActionRoutes } from "./routes/connection-actions.js";
import { streamScheduleRoutes } from "./routes/stream-schedules.js";
import { credentialRoutes } from "./routes/credentials.js";
import { opsRoutes } from "../ops/routes.js";
import type { HostMetrics } from "../ops/metrics.js";
import type { JobQueue } from "../queue/queue.js";
import { enqueueWebhookDelivery } from "../queue/webhook-jobs.js";
import { deferAtDedupe } from "./webhook-intake.js";

export type ServerAppOptions = {
  host: Host;
  runner: RouteRunner;
  /**
   * The public origin browsers and providers use (e.g. https://connect.example.com, or
   * http://127.0.0.1:8976 locally). Redirect URIs are `<publicUrl>/oauth/callback/<connector>`,
   * connect URLs and webhook notification URLs (some providers sign the notification URL) are built
   * from it, never from a client-sent Host header.
   */
  publicUrl: string;
  /** Host header values answered (DNS rebinding); default: publicUrl's host (plus loopback names when local). */
  allowedHosts: readonly string[];
  /** Origins a connect session's returnUrl may point at. */
  returnUrlOrigins?: readonly string[];
  maxBodyBytes?: number;
  /** The job queue this server enqueues on (/readyz checks it). */
  queue?: JobQueue;
  /** Served at /metrics (host API key). */
  metrics?: HostMetrics;
  /** The default pass interval (`serve --interval`), shown by GET /api/connections/:id/schedules. */
  defaultIntervalMs?: number;
};

/** The header the host sets for webhook routes; a client-sent value is always dropped. */
export const NOTIFICATION_URL_HEADER = "x-backfill-notification-url";

const ROUTE_METHODS = new Set(["GET", "POST", "PUT", "PATCH", "DELETE"]);

/** One record as the JSON API shows it; a tombstone says whether it was deleted or redacted, and when. */
function recordJson(r: RecordRow) {
  return {
    id: r.id,
    kind: r.kind,
    key: r.idempotency_key,
    stream: r.stream,
    payload: r.payload,
    firstSeen: r.first_seen,
    lastSeen: r.last_seen,
    ...(r.tombstoned_at !== null
      ? { deleted: true, reason: r.tombstone_reason ?? "redacted", ...(r.deleted_at !== null ? { deletedAt: new Date(r.deleted_at).toISOString() } : {}) }
      : {}),
  };
}

export function createServerApp(opts: ServerAppOptions): Hono {
  const { host, runner } = opts;
  const app = new Hono();

  app.use(requestId());
  app.use(secureHeaders());
  app.use(hostGuard(opts.allowedHosts));
  app.use(bodyLimit({ maxSize: opts.maxBodyBytes ?? 1024 * 1024, onError: (c) => errorJson(c, 413, "body_too_large", "request body too large") }));
  // Redaction last on the way out: whatever a handler wrote, no live secret leaves.
  app.use(async (c, next) => {
    await next();
    if (isRevealed(c.res)) return;
    const type = c.res.headers.get("content-type") ?? "";
    if (!/json|text/.test(type)) return;
    const text = await c.res.clone().text();
    const safe = redact(text);
    if (safe !== text) {
      const headers = new Headers(c.res.headers);
      headers.delete("content-length");
      c.res = new Response(safe, { status: c.res.status, headers });
    }
  });
  app.onError((error, c) => {
    host.logger.error("request failed", { requestId: c.get("requestId"), error: error.message });
    // Another process rotated the master key and this one cannot open the new keyring.
    if ((error as { code?: unknown }).code === MASTER_KEY_ROTATED) {
      return errorJson(
        c,
        503,
        MASTER_KEY_ROTATED,
        "the master key was rotated by another process; this server cannot read secrets until restarted",
        "restart the server with the new master key",
      );
    }
    // The message names the column and the row, never the stored text.
    if (isBackfillError(error, [STORE_ROW_CORRUPT])) {
      return errorJson(c, 500, STORE_ROW_CORRUPT, error.message, "correct or restore the row; the host never writes such a value");
    }
    return errorJson(c, 500, "internal_error", "internal error");
  });

  const requireApiKey = async (c: Context): Promise<string | null> => verifyApiKey(host.store, c.req.header("authorization"));

  app.get("/health", (c) => c.json({ ok: true }));
  app.route("/", opsRoutes({ store: host.store, ...(opts.queue ? { queue: opts.queue } : {}), ...(opts.metrics ? { metrics: opts.metrics } : {}) }));
  app.route("/oauth", oauthRoutes(host, opts.publicUrl));
  app.route("/connect", connectRoutes(host, opts.publicUrl));
  app.route("/ui/assets", assetRoutes());
  const dashboard = new DashboardSessions(host.store, new URL(opts.publicUrl).protocol === "https:");
  app.route("/ui", dashboardRoutes(host, dashboard));

  app.all("/connections/:id/routes/*", async (c) => {
    const connectionId = c.req.param("id");
    const route = "/" + c.req.path.split("/routes/").slice(1).join("/routes/").replace(/^\/+/, "");
    const method = c.req.method.toUpperCase();
    if (!ROUTE_METHODS.has(method)) return errorJson(c, 404, "not_found", "no such route");
    const row = await host.store.connections.get(connectionId);
    if (!row) return errorJson(c, 404, "connection_not_found", `no connection ${connectionId}`);
    const resolved = await hostConnectionServices(host, connectionId);
    const described = await runner.describeAccess({ routesDir: resolved.routesDir }, resolved.manifest, route);
    if (!described) return errorJson(c, 404, "route_not_found", `connector ${row.connector_key} has no route ${route}`);
    // Anonymous only when the route asks for it and the manifest's `routes` declares it.
    const { auth, requested, undeclared } = described.access;
    if (auth === "api_key" && !(await requireApiKey(c))) {
      if (undeclared)
        return errorJson(
          c,
          401,
          ROUTE_AUTH_UNDECLARED,
          `route ${route} asks for ${requested} access, which the connector's manifest does not declare (routes.${requested === "public" ? "public" : "webhooks"}): it needs Authorization: Bearer <host API key>`,
        );
      return errorJson(c, 401, "unauthorized", "this route needs Authorization: Bearer <host API key>");
    }
    // The raw bytes, unchanged (never decoded), so webhook routes verify signatures over exactly what was signed.
    const rawBodyBytes = method === "GET" || method === "DELETE" ? new Uint8Array() : new Uint8Array(await c.req.arrayBuffer());
    const headers: Record<string, string> = {};
    c.req.raw.headers.forEach((v, k) => (headers[k] = v));
    delete headers[NOTIFICATION_URL_HEADER];
    if (auth === "webhook") {
      const url = new URL(c.req.url);
      headers[NOTIFICATION_URL_HEADER] = new URL(url.pathname + url.search, opts.publicUrl).toString();
    }
    // With a queue, a webhook route runs here only up to its dedupe lookup; a worker runs the rest (webhook-intake.ts).
    const deferral = auth === "webhook" && opts.queue ? deferAtDedupe(resolved.services) : undefined;
    const query = c.req.query();
    const result = await runner.runRoute({
      routesDir: resolved.routesDir,
      services: deferral?.services ?? resolved.services,
      route,
      method,
      input: { query, headers, rawBodyBytes },
    });
    const deliveryIds = deferral?.deliveryIds();
    if (deliveryIds && opts.queue) {
      const request = { headers, query, rawBodyBase64: Buffer.from(rawBodyBytes).toString("base64") };
      await enqueueWebhookDelivery(host, opts.queue, { connectionId, route, method, deliveryIds, request });
      return c.json({ ok: true, queued: true });
    }
    if (result.status >= 200 && result.status < 300 && result.outcome === "ok") {
      await commitStaged(host.store, connectionId, result.staged, { defaultStream: route });
    }
    const out = new Headers();
    for (const [k, v] of Object.entries(result.headers)) if (k !== "content-length" && k !== "transfer-encoding") out.set(k, v);
    return new Response(result.status === 204 || result.status === 304 ? null : result.bodyText, { status: result.status, headers: out });
  });

  const api = new Hono<{ Variables: ApiVariables }>();
  api.use(async (c, next) => {
    let keyId = await requireApiKey(c);
    if (!keyId && !c.req.header("authorization")) {
      // The dashboard calls the same API with its session cookie; unsafe methods echo its CSRF token.
      const session = await dashboard.current(c);
      if (session && (c.req.method === "GET" || csrfValid(session, c.req.header(CSRF_HEADER)))) keyId = session.apiKeyId;
    }
    if (!keyId) return errorJson(c, 401, "unauthorized", "the JSON API needs Authorization: Bearer <host API key>");
    c.set("apiKeyId", keyId);
    await next();
  });
  api.route("/connect/sessions", connectSessionRoutes(host, { publicUrl: opts.publicUrl, ...(opts.returnUrlOrigins ? { returnUrlOrigins: opts.returnUrlOrigins } : {}) }));
  const connectionJson = (r: ConnectionRow) => ({
    id: r.id,
    connector: r.connector_key,
    version: r.connector_version,
    status: r.status,
    statusReason: r.status_reason,
    providerAccount: r.provider_account_id ? { id: r.provider_account_id, name: r.provider_account_name, domain: r.provider_account_domain } : null,
    endUser: r.end_user,
    tags: r.tags,
    settings: r.settings,
    createdAt: r.created_at,
    connectedAt: r.connected_at,
  });
  api.route("/keys", hostApiKeysApp(host));
  api.route("/credentials", credentialRoutes(host));
  api.route("/connections", connectionActionRoutes(host, runner));
  api.route("/connections", streamScheduleRoutes(host, opts.defaultIntervalMs !== undefined ? { defaultIntervalMs: opts.defaultIntervalMs } : {}));
  api.get("/webhooks/deliveries", async (c) => {
    const { connection, limit } = c.req.query();
    const rows = await host.store.authWebhookDeliveries.list({ ...(connection ? { connectionId: connection } : {}), limit: clampLimit(limit) });
    return c.json({
      deliveries: rows.map(authWebhookDeliveryJson),
    });
  });
  api.get("/connections", async (c) => c.json({ connections: (await host.store.connections.list()).map(connectionJson) }));
  api.get("/connections/:id", async (c) => {
    const row = await host.store.connections.get(c.req.param("id"));
    return row ? c.json({ connection: connectionJson(row) }) : errorJson(c, 404, "connection_not_found", "no such connection");
  });
  api.get("/runs", async (c) => {
    const { connection, stream, limit } = c.req.query();
    const runs = await host.store.syncRuns.list({ ...(connection ? { connectionId: connection } : {}), ...(stream ? { stream } : {}), limit: clampLimit(limit) });
    return c.json({ runs });
  });
  // Records: by id (`after`, live records only), or as the changes feed (`modifiedAfter`: a
  // cursor from `nextCursor`, upserts and deletions in change order) to mirror the store.
  api.get("/records", async (c) => {
    const { entity, connection, limit, after, modifiedAfter } = c.req.query();
    if (!connection) return errorJson(c, 400, "missing_connection", "pass ?connection=<id>");
    const cursor = (name: string, value: string | undefined) => {
      if (value === undefined) return undefined;
      const n = /^\d{1,15}$/.test(value) ? Number(value) : NaN;
      return Number.isSafeInteger(n) ? n : name;
    };
    const afterId = cursor("after", after);
    const afterSeq = cursor("modifiedAfter", modifiedAfter);
    if (typeof afterId === "string" || typeof afterSeq === "string")
      return errorJson(c, 400, "invalid_cursor", `${String(typeof afterId === "string" ? afterId : afterSeq)} must be a cursor this API answered (digits)`);
    const kind = entity ? { kind: entity } : {};
    if (afterSeq !== undefined) {
      const rows = await host.store.records.listChanges(connection, { ...kind, afterSeq, limit: clampLimit(limit) });
      return c.json({ changes: rows.map(recordJson), nextCursor: String(rows.at(-1)?.change_seq ?? afterSeq) });
    }
    const rows = await host.store.records.list(connection, { ...kind, limit: clampLimit(limit), ...(afterId !== undefined ? { afterId } : {}) });
    return c.json({ records: rows.map(recordJson) });
  });
  app.route("/api", api);
  return app;
}
