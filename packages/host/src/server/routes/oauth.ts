// GET /oauth/start and GET /oauth/callback/:connector. A start needs a live connect
// session (minted by the operator), binds the flow to the browser with a cookie, and
// writes nothing when refused. Each connector has its own callback path, and the state
// is bound to that connector, so a code never reaches another provider's token endpoint.
import { Hono, type Context } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import type { Host } from "../../app/open-host.js";
import { CONNECTOR_KEY_PATTERN } from "../../app/connectors.js";
import { findConnectSession, type ConnectSession } from "../../oauth/connect-sessions.js";
import { STATE_TTL_MS } from "../../oauth/deps.js";
import { isOAuthFlowError } from "../../oauth/errors.js";
import { hashState, randomToken } from "../../oauth/pkce.js";
import { errorJson, flowErrorJson, flowErrorStatus } from "../http-errors.js";
import { checkConnectSettings, connectCookieName, connectSessionToken, formSettings, renderConnectPage, renderMerchantError } from "../ui/connect-routes.js";
import { wantsHtml } from "../ui/layout.js";
import { callbackOrigin, renderConnected, renderFailed } from "../ui/result-pages.js";

/** Query parameters of /oauth/start that are not settings. */
const START_PARAMS = new Set(["session", "connector"]);

/** The redirect URI of a connector at the public URL: one path per connector (mix-up defence). */
export function callbackUrl(publicUrl: string, connectorKey: string): string {
  return new URL(`/oauth/callback/${connectorKey}`, publicUrl).toString();
}

/**
 * The browser-binding cookie of a state. Named after the state's hash, so parallel flows in
 * one browser do not overwrite each other; `__Host-` (Secure, Path=/, no Domain) over https.
 */
export function bindingCookieName(state: string, secure: boolean): string {
  return `${secure ? "__Host-" : ""}bf_oauth_${hashState(state).slice(0, 16)}`;
}

function stateOf(url: string): string | undefined {
  return new URL(url).searchParams.get("state") ?? undefined;
}

export function oauthRoutes(host: Host, publicUrl: string): Hono {
  const app = new Hono();
  const secure = new URL(publicUrl).protocol === "https:";

  const flowError = (c: Context, error: unknown, connectorName = "the account") => {
    if (!isOAuthFlowError(error)) throw error;
    return wantsHtml(c) ? renderMerchantError(c, error, connectorName, flowErrorStatus(error)) : flowErrorJson(c, error);
  };

  /** Starts the flow: the session is redeemed, the browser bound with a cookie, and the browser sent to the provider. */
  const start = async (c: Context, session: ConnectSession, key: string, settings: Record<string, unknown>, status: 302 | 303) => {
    const connector = await host.connectors.get(key);
    if (!connector) return errorJson(c, 404, "connector_not_found", `connector ${key} is not installed`);
    const binding = randomToken(32);
    const started = await host.oauth.startAuthorization({ manifest: connector.manifest, settings, redirectUri: callbackUrl(publicUrl, key), session, browserBinding: binding });
    setCookie(c, bindingCookieName(stateOf(started.authorizationUrl)!, secure), binding, {
      httpOnly: true,
      secure,
      sameSite: "Lax",
      path: "/",
      maxAge: Math.floor(STATE_TTL_MS / 1000),
    });
    return c.redirect(started.authorizationUrl, status);
  };

  // The connect page's form. Its session comes from the page's cookie; a post from another
  // origin is refused (the cookie is SameSite=Lax, this is the second lock). Invalid settings
  // re-render the form with the problems, before anything is written.
  app.post("/start", async (c) => {
    const origin = c.req.header("origin");
    if (origin !== undefined && origin !== new URL(publicUrl).origin)
      return errorJson(c, 403, "cross_origin_form", "the connect form must be posted from this host's connect page");
    const fields = await c.req.parseBody();
    const key = typeof fields.connector === "string" ? fields.connector : "";
    try {
      const session = await findConnectSession(host.store, host.vault, connectSessionToken(c, secure, typeof fields.session === "string" ? fields.session : undefined));
      if (!CONNECTOR_KEY_PATTERN.test(key)) return errorJson(c, 400, "invalid_connector_key", "a connector key is lowercase letters, digits, - or _");
      const connector = await host.connectors.get(key);
      if (!connector) return errorJson(c, 404, "connector_not_found", `connector ${key} is not installed`);
      const settings = formSettings(fields, START_PARAMS);
      const { problems } = checkConnectSettings(connector.manifest, session, settings, host.providers);
      if (Object.keys(problems).length) {
        if (!wantsHtml(c))
          return errorJson(
            c,
            400,
            "invalid_settings",
            Object.entries(problems)
              .map(([k, v]) => `${k} ${v}`)
              .join("; "),
          );
        const values = Object.fromEntries(Object.entries(settings).filter(([name]) => connector.manifest.connection.settingsSchema.properties[name]?.["x-secret"] !== true));
        return renderConnectPage(c, host, session, key, { values, problems, error: "Please correct the fields below." }, 422);
      }
      const response = await start(c, session, key, settings, 303);
      deleteCookie(c, connectCookieName(secure), { path: "/", secure });
      return response;
    } catch (error) {
      return flowError(c, error, key);
    }
  });

  app.get("/start", async (c) => {
    const query = c.req.query();
    try {
      const session = await findConnectSession(host.store, host.vault, query.session);
      const key = query.connector ?? (session.connectorKeys.length === 1 ? session.connectorKeys[0] : undefined);
      if (!key) return errorJson(c, 400, "missing_connector", "this session allows several connectors: pass ?connector=<key>");
      if (!CONNECTOR_KEY_PATTERN.test(key)) return errorJson(c, 400, "invalid_connector_key", "a connector key is lowercase letters, digits, - or _");
      const settings = Object.fromEntries(Object.entries(query).filter(([name]) => !START_PARAMS.has(name)));
      return await start(c, session, key, settings, 302);
    } catch (error) {
      return flowError(c, error);
    }
  });

  app.get("/callback/:connector", async (c) => {
    const query = c.req.query();
    const cookie = query.state ? bindingCookieName(query.state, secure) : undefined;
    // Browsers get a page (or the session's returnUrl); API clients keep the JSON answer.
    const html = wantsHtml(c);
    const origin = html ? await callbackOrigin(host, query.state, c.req.param("connector")) : undefined;
    try {
      const done = await host.oauth.completeAuthorization(query, {
        connectorKey: c.req.param("connector"),
        ...(cookie ? { browserBinding: getCookie(c, cookie) ?? "" } : {}),
      });
      if (cookie) deleteCookie(c, cookie, { path: "/", secure });
      if (origin) return await renderConnected(c, host, origin, done);
      return c.json({ ok: true, connectionId: done.connectionId, connector: done.connectorKey, status: done.status, providerAccount: done.providerAccount, scopes: done.scopes });
    } catch (error) {
      if (origin && isOAuthFlowError(error)) return renderFailed(c, origin, error, flowErrorStatus(error));
      return flowError(c, error);
    }
  });

  return app;
}
