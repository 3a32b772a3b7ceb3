// The merchant's connect page. GET /connect?session=<token> moves the session token into an
// HttpOnly cookie and redirects to the clean /connect (so the token is in no page, no
// history entry and no Referer), which shows which app asks for what and a form generated
// from the manifest. The form posts to /oauth/start; POST /connect/validate gives feedback
// from the connector's own normalizers before the merchant leaves for the provider.
import type { ConnectorManifest, ProviderRegistry } from "@backfill-io/sdk";
import { validateSettings } from "@backfill-io/sdk/policy";
import { Hono, type Context } from "hono";
import { getCookie, setCookie } from "hono/cookie";
import { html } from "hono/html";
import type { Host } from "../../app/open-host.js";
import { CONNECTOR_KEY_PATTERN } from "../../app/connectors.js";
import { findConnectSession, type ConnectSession } from "../../oauth/connect-sessions.js";
import { isOAuthFlowError, oauthFlowError, type OAuthFlowError } from "../../oauth/errors.js";
import { errorJson } from "../http-errors.js";
import { renderPage } from "./layout.js";
import { merchantMessage } from "./merchant-messages.js";
import { settingsFieldsHtml, type FieldProblems } from "./settings-form.js";

/** The cookie holding the merchant's connect session token between the page and /oauth/start. */
export function connectCookieName(secure: boolean): string {
  return `${secure ? "__Host-" : ""}bf_connect`;
}

/** The session token of a connect request: the form's field, else the cookie. */
export function connectSessionToken(c: Context, secure: boolean, field?: string): string | undefined {
  return field || getCookie(c, connectCookieName(secure)) || undefined;
}

export type ConnectFormState = { values?: Record<string, string>; problems?: FieldProblems; error?: string };

/** The connect page of `session` for `connectorKey` (or the connector chooser). */
export async function renderConnectPage(
  c: Context,
  host: Host,
  session: ConnectSession,
  connectorKey: string | undefined,
  state: ConnectFormState = {},
  status: 200 | 422 = 200,
): Promise<Response> {
  const key = connectorKey ?? (session.connectorKeys.length === 1 ? session.connectorKeys[0] : undefined);
  if (!key) return renderChooser(c, host, session);
  if (!CONNECTOR_KEY_PATTERN.test(key) || !session.connectorKeys.includes(key))
    return renderMerchantError(c, oauthFlowError("connector_not_allowed", `this link does not connect ${key}`), key, 403);
  const connector = await host.connectors.get(key);
  if (!connector) return renderMerchantError(c, oauthFlowError("connector_not_found", `${key} is not available`), key, 404);
  const manifest = connector.manifest;
  const account = await reconnectAccount(host, session);
  const scopes = manifest.connection.oauth?.scopes ?? [];
  const who = session.endUser?.displayName ?? session.endUser?.email;
  const body = html`<div class="card">
<h1>${account ? `Reconnect ${manifest.name}` : `Connect ${manifest.name}`}</h1>
<p class="lead">${who ? `${who}, an` : "An"} app asks to read data from your ${manifest.name} account${account ? html` <strong>${account}</strong>` : ""}.</p>
<h2>It will be able to</h2>
<ul class="scopes">${scopes.map((s) => html`<li>${host.providers.describeScope(manifest.provider ?? manifest.key, s)} <span class="muted mono">(${s})</span></li>`)}</ul>
<h2>It will sync</h2>
<p>${manifest.streams.map((s) => s.name).join(", ") || "nothing yet"}</p>
${state.error ? html`<div class="alert bad" role="alert" id="form-error" tabindex="-1">${state.error}</div>` : ""}
<form id="connect-form" method="post" action="/oauth/start" data-validate-url="/connect/validate" novalidate>
<input type="hidden" name="connector" value="${key}">
${settingsFieldsHtml(manifest, session.settings, state.values ?? {}, state.problems ?? {})}
<button type="submit">Continue to ${manifest.name}</button>
</form>
<p class="muted">You will sign in on ${manifest.name}'s own page and approve there. This app never sees your ${manifest.name} password.</p>
</div>`;
  return renderPage(c, status, { title: `Connect ${manifest.name}`, body, scripts: ["connect.js"], narrow: true, formToProvider: true });
}

async function renderChooser(c: Context, host: Host, session: ConnectSession): Promise<Response> {
  const names = await Promise.all(session.connectorKeys.map(async (key) => ({ key, name: (await host.connectors.get(key))?.manifest.name ?? key })));
  const body = html`<div class="card"><h1>Choose what to connect</h1><ul>${names.map((n) => html`<li><a href="/connect?connector=${n.key}">${n.name}</a></li>`)}</ul></div>`;
  return renderPage(c, 200, { title: "Connect", body, narrow: true });
}

/** The provider account a reconnect session will link again, by name. */
async function reconnectAccount(host: Host, session: ConnectSession): Promise<string | null> {
  if (!session.connectionId) return null;
  const row = await host.store.connections.get(session.connectionId);
  return row?.provider_account_name ?? row?.provider_account_domain ?? row?.provider_account_id ?? null;
}

/** A flow error as a page the merchant understands. */
export async function renderMerchantError(c: Context, error: OAuthFlowError, connectorName: string, status: 400 | 401 | 403 | 404 | 409 | 410 = 400): Promise<Response> {
  const message = merchantMessage(error, connectorName);
  const body = html`<div class="card" role="alert"><h1>${message.title}</h1><p>${message.text}</p><p><strong>What to do:</strong> ${message.next}</p><p class="muted mono">code: ${error.code}</p></div>`;
  return renderPage(c, status, { title: message.title, body, narrow: true });
}

/** Settings from a validate request or a form post: strings only, empty fields left out. */
export function formSettings(fields: Record<string, unknown>, skip: ReadonlySet<string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(fields)) if (!skip.has(name) && typeof value === "string" && value !== "") out[name] = value;
  return out;
}

/** validateSettings as field problems and the normalized non-secret values. */
export function checkConnectSettings(manifest: ConnectorManifest, session: ConnectSession, given: Record<string, string>, providers: ProviderRegistry) {
  const known = manifest.connection.settingsSchema.properties;
  const problems: FieldProblems = {};
  for (const name of Object.keys(given)) if (!(name in known)) problems[name] = "is not a setting of this connector";
  const result = validateSettings(manifest, { ...given, ...session.settings }, { requireOAuthSettings: true, providers });
  if (!result.ok) for (const p of result.problems) problems[p.setting] ??= p.message;
  const normalized: Record<string, unknown> = {};
  if (result.ok) for (const [name, value] of Object.entries(result.settings)) if (name in given && known[name]?.["x-secret"] !== true) normalized[name] = value;
  return { problems, normalized };
}

export function connectRoutes(host: Host, publicUrl: string): Hono {
  const app = new Hono();
  const secure = new URL(publicUrl).protocol === "https:";

  app.get("/", async (c) => {
    const fromLink = c.req.query("session");
    const connector = c.req.query("connector");
    try {
      const session = await findConnectSession(host.store, host.vault, connectSessionToken(c, secure, fromLink));
      if (fromLink) {
        const row = await host.store.connectSessions.get(session.id);
        setCookie(c, connectCookieName(secure), fromLink, {
          httpOnly: true,
          secure,
          sameSite: "Lax",
          path: "/",
          maxAge: Math.max(1, Math.floor(((row?.expires_at ?? host.store.now()) - host.store.now()) / 1000)),
        });
        return c.redirect(connector ? `/connect?connector=${encodeURIComponent(connector)}` : "/connect", 303);
      }
      return renderConnectPage(c, host, session, connector);
    } catch (error) {
      if (isOAuthFlowError(error)) return renderMerchantError(c, error, connector ?? "the account", 401);
      throw error;
    }
  });

  app.post("/validate", async (c) => {
    const body = (await c.req.json().catch(() => undefined)) as { connector?: unknown; settings?: Record<string, unknown> } | undefined;
    if (!body || typeof body.connector !== "string" || typeof body.settings !== "object" || body.settings === null) {
      return errorJson(c, 400, "invalid_validate_request", 'send {"connector":"<key>","settings":{...}}');
    }
    try {
      const session = await findConnectSession(host.store, host.vault, connectSessionToken(c, secure));
      if (!session.connectorKeys.includes(body.connector)) return errorJson(c, 403, "connector_not_allowed", "this session does not connect that connector");
      const connector = await host.connectors.get(body.connector);
      if (!connector) return errorJson(c, 404, "connector_not_found", "no such connector");
      const { problems, normalized } = checkConnectSettings(connector.manifest, session, formSettings(body.settings, new Set()), host.providers);
      const list = Object.entries(problems).map(([setting, message]) => ({ setting, message }));
      return c.json({ ok: list.length === 0, problems: list, settings: normalized });
    } catch (error) {
      if (isOAuthFlowError(error)) return errorJson(c, 401, error.code, error.message, error.fix);
      throw error;
    }
  });

  return app;
}
