// The host's HTTP server (Hono): OAuth start/callback, connector routes guarded by
// their exported config.auth, a JSON API over connections, runs and records, health.
// Every response body passes the SDK redactor on its way out.
import { Hono, type Context } from "hono";
import { bodyLimit } from "hono/body-limit";
import { requestId } from "hono/request-id";
import { secureHeaders } from "hono/secure-headers";
import { redact, ROUTE_AUTH_UNDECLARED } from "@backfill-io/sdk";
import type { Host } from "../connections/host.js";
import { OAuthFlowError } from "../oauth/errors.js";
import { hostConnectionServices } from "../runner/host-services.js";
import type { RouteRunner } from "../runner/runner.js";
import { commitStaged } from "../sync/commit.js";
import { verifyApiKey } from "./api-keys.js";

export type ServerAppOptions = {
  host: Host;
  runner: RouteRunner;
  /** The OAuth redirect URI registered with providers, e.g. http://127.0.0.1:8976/oauth/callback. */
  redirectUri: string;
  maxBodyBytes?: number;
  /**
   * The public origin providers call (behind a proxy, e.g. https://hooks.example.com);
   * webhook routes get their public URL in `x-backfill-notification-url` (Square signs
   * the notification URL). Default: the URL the request arrived at.
   */
  publicUrl?: string;
};

/** The header the host sets for webhook routes; a client-sent value is always dropped. */
export const NOTIFICATION_URL_HEADER = "x-backfill-notification-url";

function errorJson(c: Context, status: 400 | 401 | 403 | 404 | 413 | 500, code: string, message: string) {
  return c.json({ error: { code, message, requestId: c.get("requestId") } }, status);
}

const ROUTE_METHODS = new Set(["GET", "POST", "PUT", "PATCH", "DELETE"]);

export function createServerApp(opts: ServerAppOptions): Hono {
  const { host, runner } = opts;
  const app = new Hono();

  app.use(requestId());
  app.use(secureHeaders());
  app.use(bodyLimit({ maxSize: opts.maxBodyBytes ?? 1024 * 1024, onError: (c) => errorJson(c, 413, "body_too_large", "request body too large") }));
  // Redaction last on the way out: whatever a handler wrote, no live secret leaves.
  app.use(async (c, next) => {
    await next();
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
    return errorJson(c, 500, "internal_error", "internal error");
  });

  const requireApiKey = async (c: Context): Promise<boolean> => !!(await verifyApiKey(host.store, c.req.header("authorization")));

  app.get("/health", (c) => c.json({ ok: true }));

  app.get("/oauth/start", async (c) => {
    const { connector: key, connection, ...settings } = c.req.query();
    if (!key) return errorJson(c, 400, "missing_connector", "pass ?connector=<key>");
    const connector = await host.connectors.get(key);
    if (!connector) return errorJson(c, 404, "connector_not_found", `connector ${key} is not installed`);
    try {
      const started = await host.oauth.startAuthorization({ manifest: connector.manifest, settings, redirectUri: opts.redirectUri, ...(connection ? { connectionId: connection } : {}) });
      return c.redirect(started.authorizationUrl, 302);
    } catch (error) {
      if (error instanceof OAuthFlowError) return errorJson(c, 400, error.code, error.message);
      throw error;
    }
  });

  app.get("/oauth/callback", async (c) => {
    try {
      const done = await host.oauth.completeAuthorization(c.req.query());
      return c.json({ ok: true, connectionId: done.connectionId, connector: done.connectorKey, status: done.status, providerAccount: done.providerAccount, scopes: done.scopes });
    } catch (error) {
      if (error instanceof OAuthFlowError) return errorJson(c, 400, error.code, error.message);
      throw error;
    }
  });

  app.all("/connections/:id/routes/*", async (c) => {
    const connectionId = c.req.param("id");
    const route = "/" + c.req.path.split("/routes/").slice(1).join("/routes/").replace(/^\/+/, "");
    const method = c.req.method.toUpperCase();
    if (!ROUTE_METHODS.has(method)) return errorJson(c, 404, "not_found", "no such route");
    const row = await host.store.getConnection(connectionId);
    if (!row) return errorJson(c, 404, "connection_not_found", `no connection ${connectionId}`);
    const resolved = await hostConnectionServices(host, connectionId);
    const described = await runner.describeAccess({ routesDir: resolved.routesDir }, resolved.manifest, route);
    if (!described) return errorJson(c, 404, "route_not_found", `connector ${row.connector_key} has no route ${route}`);
    // Anonymous only when the route asks for it and the manifest's `routes` declares it.
    const { auth, requested, undeclared } = described.access;
    if (auth === "api_key" && !(await requireApiKey(c))) {
      if (undeclared) return errorJson(c, 401, ROUTE_AUTH_UNDECLARED, `route ${route} asks for ${requested} access, which the connector's manifest does not declare (routes.${requested === "public" ? "public" : "webhooks"}): it needs Authorization: Bearer <host API key>`);
      return errorJson(c, 401, "unauthorized", "this route needs Authorization: Bearer <host API key>");
    }
    // The raw body, unchanged, so webhook routes can verify signatures over the exact bytes.
    const rawBody = method === "GET" || method === "DELETE" ? "" : await c.req.text();
    const headers: Record<string, string> = {};
    c.req.raw.headers.forEach((v, k) => (headers[k] = v));
    delete headers[NOTIFICATION_URL_HEADER];
    if (auth === "webhook") {
      const url = new URL(c.req.url);
      headers[NOTIFICATION_URL_HEADER] = opts.publicUrl ? new URL(url.pathname + url.search, opts.publicUrl).toString() : url.toString();
    }
    const result = await runner.runRoute({ routesDir: resolved.routesDir, services: resolved.services, route, method, input: { query: c.req.query(), headers, rawBody } });
    if (result.status >= 200 && result.status < 300 && result.outcome === "ok") {
      await commitStaged(host.store, connectionId, result.staged, { defaultStream: route });
    }
    const out = new Headers();
    for (const [k, v] of Object.entries(result.headers)) if (k !== "content-length" && k !== "transfer-encoding") out.set(k, v);
    return new Response(result.status === 204 || result.status === 304 ? null : result.bodyText, { status: result.status, headers: out });
  });

  const api = new Hono();
  api.use(async (c, next) => {
    if (!(await requireApiKey(c))) return errorJson(c, 401, "unauthorized", "the JSON API needs Authorization: Bearer <host API key>");
    await next();
  });
  const connectionJson = (r: Awaited<ReturnType<typeof host.store.getConnection>> & object) => ({
    id: r.id,
    connector: r.connector_key,
    version: r.connector_version,
    status: r.status,
    statusReason: r.status_reason,
    providerAccount: r.provider_account_id ? { id: r.provider_account_id, name: r.provider_account_name, domain: r.provider_account_domain } : null,
    settings: JSON.parse(r.settings_json) as unknown,
    createdAt: r.created_at,
    connectedAt: r.connected_at,
  });
  api.get("/connections", async (c) => c.json({ connections: (await host.store.listConnections()).map(connectionJson) }));
  api.get("/connections/:id", async (c) => {
    const row = await host.store.getConnection(c.req.param("id"));
    return row ? c.json({ connection: connectionJson(row) }) : errorJson(c, 404, "connection_not_found", "no such connection");
  });
  api.get("/runs", async (c) => {
    const { connection, stream, limit } = c.req.query();
    const runs = await host.store.listSyncRuns({ ...(connection ? { connectionId: connection } : {}), ...(stream ? { stream } : {}), limit: Math.min(Number(limit) || 100, 1000) });
    return c.json({ runs });
  });
  api.get("/records", async (c) => {
    const { entity, connection, limit, after } = c.req.query();
    if (!connection) return errorJson(c, 400, "missing_connection", "pass ?connection=<id>");
    const rows = await host.store.listRecords(connection, { ...(entity ? { kind: entity } : {}), limit: Math.min(Number(limit) || 100, 1000), ...(after ? { afterId: Number(after) } : {}) });
    return c.json({
      records: rows.map((r) => ({ id: r.id, kind: r.kind, key: r.idempotency_key, stream: r.stream, payload: r.payload_json ? (JSON.parse(r.payload_json) as unknown) : null, firstSeen: r.first_seen, lastSeen: r.last_seen })),
    });
  });
  app.route("/api", api);
  return app;
}
