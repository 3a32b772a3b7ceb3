// GET /oauth/start and GET /oauth/callback/:connector. A start needs a live connect
// session (minted by the operator), binds the flow to the browser with a cookie, and
// writes nothing when refused. Each connector has its own callback path, and the state
// is bound to that connector, so a code never reaches another provider's token endpoint.
import { Hono, type Context } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import type { Host } from "../../connections/host.js";
import { CONNECTOR_KEY_PATTERN } from "../../connections/connectors.js";
import { findConnectSession } from "../../oauth/connect-sessions.js";
import { STATE_TTL_MS } from "../../oauth/deps.js";
import { OAuthFlowError } from "../../oauth/errors.js";
import { hashState, randomToken } from "../../oauth/pkce.js";
import { errorJson, flowErrorJson } from "../http-errors.js";

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

  const flowError = (c: Context, error: unknown) => {
    if (error instanceof OAuthFlowError) return flowErrorJson(c, error);
    throw error;
  };

  app.get("/start", async (c) => {
    const query = c.req.query();
    try {
      const session = await findConnectSession(host.store, host.vault, query.session);
      const key = query.connector ?? (session.connectorKeys.length === 1 ? session.connectorKeys[0] : undefined);
      if (!key) return errorJson(c, 400, "missing_connector", "this session allows several connectors: pass ?connector=<key>");
      if (!CONNECTOR_KEY_PATTERN.test(key)) return errorJson(c, 400, "invalid_connector_key", "a connector key is lowercase letters, digits, - or _");
      const connector = await host.connectors.get(key);
      if (!connector) return errorJson(c, 404, "connector_not_found", `connector ${key} is not installed`);
      const settings = Object.fromEntries(Object.entries(query).filter(([name]) => !START_PARAMS.has(name)));
      const binding = randomToken(32);
      const started = await host.oauth.startAuthorization({ manifest: connector.manifest, settings, redirectUri: callbackUrl(publicUrl, key), session, browserBinding: binding });
      setCookie(c, bindingCookieName(stateOf(started.authorizationUrl)!, secure), binding, {
        httpOnly: true,
        secure,
        sameSite: "Lax",
        path: "/",
        maxAge: Math.floor(STATE_TTL_MS / 1000),
      });
      return c.redirect(started.authorizationUrl, 302);
    } catch (error) {
      return flowError(c, error);
    }
  });

  app.get("/callback/:connector", async (c) => {
    const query = c.req.query();
    const cookie = query.state ? bindingCookieName(query.state, secure) : undefined;
    try {
      const done = await host.oauth.completeAuthorization(query, {
        connectorKey: c.req.param("connector"),
        ...(cookie ? { browserBinding: getCookie(c, cookie) ?? "" } : {}),
      });
      if (cookie) deleteCookie(c, cookie, { path: "/", secure });
      return c.json({ ok: true, connectionId: done.connectionId, connector: done.connectorKey, status: done.status, providerAccount: done.providerAccount, scopes: done.scopes });
    } catch (error) {
      return flowError(c, error);
    }
  });

  return app;
}
