// The operator dashboard under /ui: login with a host API key (exchanged for a session
// cookie), logout, and the pages. Pages read the store; every action (sync, disconnect,
// reconnect link, credentials, keys) is a call to the JSON API from dashboard.js, which the
// API accepts with the session cookie plus the page's CSRF token.
import { Hono, type Context, type Next } from "hono";
import { html } from "hono/html";
import type { Host } from "../../app/open-host.js";
import { verifyApiKey } from "../api-keys.js";
import { errorJson } from "../http-errors.js";
import { connectionHtml, connectionsHtml, credentialsHtml, csrfMeta, keysHtml, loginHtml, navHtml, recordsHtml, webhooksHtml, type NavSection } from "./dashboard-pages.js";
import { CSRF_FIELD, csrfValid, loginCsrfValid, newLoginCsrf, type DashboardSession, type DashboardSessions } from "./dashboard-session.js";
import { renderPage, type Html } from "./layout.js";

type DashboardEnv = { Variables: { session: DashboardSession } };

export function dashboardRoutes(host: Host, sessions: DashboardSessions): Hono<DashboardEnv> {
  const app = new Hono<DashboardEnv>();
  const page = (c: Context<DashboardEnv>, section: NavSection, title: string, body: Html, status: 200 | 404 = 200) => {
    const session = c.get("session");
    return renderPage(c, status, { title: `${title} · Backfill`, body, nav: navHtml(section, session.csrf), head: csrfMeta(session.csrf), scripts: ["dashboard.js"] });
  };

  app.get("/login", (c) => renderPage(c, 200, { title: "Sign in · Backfill", body: loginHtml(newLoginCsrf(c, sessions.secure)), narrow: true }));

  app.post("/login", async (c) => {
    const form = await c.req.parseBody();
    if (!loginCsrfValid(c, form[CSRF_FIELD]))
      return renderPage(c, 403, { title: "Sign in · Backfill", body: loginHtml(newLoginCsrf(c, sessions.secure), "The form expired; please sign in again."), narrow: true });
    const key = typeof form.apiKey === "string" ? form.apiKey.trim() : "";
    const keyId = await verifyApiKey(host.store, `Bearer ${key}`);
    if (!keyId) return renderPage(c, 401, { title: "Sign in · Backfill", body: loginHtml(newLoginCsrf(c, sessions.secure), "That is not a live host API key."), narrow: true });
    sessions.start(c, keyId);
    await host.store.auditLog.append("dashboard.login", { actor: keyId });
    return c.redirect("/ui", 303);
  });

  // Everything below needs a session; unsafe methods need its CSRF token too.
  app.use("*", async (c: Context<DashboardEnv>, next: Next) => {
    const session = await sessions.current(c);
    if (!session) return c.req.method === "GET" ? c.redirect("/ui/login", 303) : errorJson(c, 401, "unauthorized", "sign in again");
    if (c.req.method !== "GET" && c.req.method !== "HEAD") {
      const form = c.req.header("content-type")?.includes("form") ? await c.req.parseBody() : {};
      if (!csrfValid(session, typeof form[CSRF_FIELD] === "string" ? form[CSRF_FIELD] : c.req.header("x-csrf-token")))
        return errorJson(c, 403, "csrf_failed", "the form's CSRF token does not match this session");
    }
    c.set("session", session);
    await next();
  });

  app.post("/logout", (c) => {
    sessions.end(c);
    return c.redirect("/ui/login", 303);
  });

  app.get("/", async (c) => {
    const rows = await host.store.connections.list();
    const list = await Promise.all(
      rows.map(async (row) => {
        const streams = (await host.connectors.get(row.connector_key))?.manifest.streams.map((s) => s.name) ?? [];
        const runs = await host.store.syncRuns.list({ connectionId: row.id, limit: 200 });
        return { row, lastSync: Object.fromEntries(streams.map((s) => [s, runs.find((r) => r.stream === s)])) };
      }),
    );
    return page(c, "connections", "Connections", connectionsHtml(list));
  });

  app.get("/connections/:id", async (c) => {
    const row = await host.store.connections.get(c.req.param("id"));
    if (!row) return page(c, "connections", "Not found", html`<p>No such connection.</p>`, 404);
    const manifest = (await host.connectors.get(row.connector_key))?.manifest;
    const runs = await host.store.syncRuns.list({ connectionId: row.id, limit: 20 });
    const streams = (manifest?.streams ?? []).map((s) => ({ name: s.name, entity: s.entity, lastRun: runs.find((r) => r.stream === s.name) }));
    // Run errors are stored redacted; audit entries are redacted when written.
    const errors = [
      ...runs.filter((r) => r.error).map((r) => ({ at: r.finished_at ?? r.started_at, text: `${r.stream}: ${r.error}` })),
      ...(await host.store.auditLog.list({ connectionId: row.id, limit: 50 }))
        .filter((a) => /failed|mismatch|missing|revoked/.test(a.action))
        .map((a) => ({ at: a.at, text: `${a.action}${a.detail_json ? ` ${a.detail_json}` : ""}` })),
    ]
      .sort((a, b) => b.at - a.at)
      .slice(0, 10);
    return page(c, "connections", `${row.connector_key} ${row.id}`, connectionHtml({ row, streams, runs, errors }));
  });

  app.get("/connections/:id/records", async (c) => {
    const row = await host.store.connections.get(c.req.param("id"));
    if (!row) return page(c, "connections", "Not found", html`<p>No such connection.</p>`, 404);
    const manifest = (await host.connectors.get(row.connector_key))?.manifest;
    const entities = [...new Set((manifest?.streams ?? []).map((s) => s.entity).filter((e): e is string => !!e))];
    const entity = entities.includes(c.req.query("entity") ?? "") ? c.req.query("entity") : entities[0];
    const key = (c.req.query("key") ?? "").slice(0, 200);
    const records = key
      ? await host.store.records.searchByKey(row.id, { ...(entity ? { kind: entity } : {}), key, limit: 50 })
      : await host.store.records.list(row.id, { ...(entity ? { kind: entity } : {}), limit: 50 });
    return page(c, "connections", "Records", recordsHtml(row, entities, entity, key, records));
  });

  app.get("/credentials", async (c) => page(c, "credentials", "App credentials", credentialsHtml(await host.credentials.list())));
  app.get("/keys", async (c) => page(c, "keys", "API keys", keysHtml(await host.store.apiKeys.list(), c.get("session").apiKeyId)));
  app.get("/webhooks", async (c) => page(c, "webhooks", "Auth webhooks", webhooksHtml(await host.store.authWebhookDeliveries.list({ limit: 100 }))));

  return app;
}
