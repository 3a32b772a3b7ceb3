// Shopify's OAuth endpoints: the consent page, the signed redirect back to the app, and the
// token endpoint with authorization codes, rotating refresh tokens and the token exchange
// that migrates a non-expiring offline token to an expiring one.
import { createHmac, timingSafeEqual } from "node:crypto";
import type { IncomingMessage } from "node:http";
import type { Context, Hono } from "hono";
import type { ShopRecord } from "./data.js";
import { applyFault } from "./faults.js";
import type { ShopifyEnv } from "./host.js";
import {
  CODE_TTL_MS,
  EXPIRING_ACCESS_TOKEN_TTL_S,
  ONLINE_TOKEN_TTL_S,
  REFRESH_RETRY_WINDOW_MS,
  REFRESH_TOKEN_TTL_S,
  TOKEN_EXCHANGE_RETRY_WINDOW_MS,
  secureToken,
  type RefreshTokenRecord,
  type ShopifyAppRegistration,
  type ShopifyEmulatorState,
} from "./state.js";

export const TOKEN_EXCHANGE_GRANT_TYPE = "urn:ietf:params:oauth:grant-type:token-exchange";
export const OFFLINE_ACCESS_TOKEN_TYPE = "urn:shopify:params:oauth:token-type:offline-access-token";

/**
 * Shopify's query HMAC: hex HMAC-SHA256 over the query without `hmac`/`signature`, keys
 * sorted, form-encoded by URLSearchParams, as Shopify's libraries form and check it.
 */
export function shopifyQueryHmac(params: Record<string, string>, clientSecret: string): string {
  const signed = Object.entries(params)
    .filter(([key]) => key !== "hmac" && key !== "signature")
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return createHmac("sha256", clientSecret).update(new URLSearchParams(signed).toString()).digest("hex");
}

export function verifyShopifyQueryHmac(params: Record<string, string>, clientSecret: string): boolean {
  const given = Buffer.from(params.hmac ?? "", "utf8");
  const expected = Buffer.from(shopifyQueryHmac(params, clientSecret), "utf8");
  return given.length === expected.length && timingSafeEqual(given, expected);
}

function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
}

function errorPage(c: Context<ShopifyEnv>, message: string): Response {
  return c.html(`<!DOCTYPE html><html><head><title>Oauth error</title></head><body><h1>Oauth error invalid_request</h1><p>${escapeHtml(message)}</p></body></html>`, 400);
}

interface AuthorizeRequest {
  app: ShopifyAppRegistration;
  scope: string;
  redirectUri: string;
  state: string;
  online: boolean;
}

function readAuthorizeRequest(emulator: ShopifyEmulatorState, params: Record<string, string | string[] | undefined>): AuthorizeRequest | string {
  const one = (key: string) => {
    const value = params[key];
    return Array.isArray(value) ? value[0] : value;
  };
  const clientId = one("client_id");
  const app = clientId === undefined ? undefined : emulator.apps.get(clientId);
  if (!app) return "The client_id is not a known app.";
  const redirectUri = one("redirect_uri");
  if (!redirectUri) return "The redirect_uri is missing.";
  if (app.redirectUris && !app.redirectUris.includes(redirectUri)) {
    return "The redirect_uri is not whitelisted.";
  }
  try {
    new URL(redirectUri);
  } catch {
    return "The redirect_uri is not a valid URL.";
  }
  const grantOptions = [params["grant_options[]"] ?? []].flat();
  const requested = one("scope");
  const unapproved = new Set(app.unapprovedScopes ?? []);
  const scope = (requested ? requested.split(/[,\s]+/) : (app.scopes ?? [])).filter((s) => s && !unapproved.has(s)).join(",");
  return { app, scope, redirectUri, state: one("state") ?? "", online: grantOptions.includes("per-user") };
}

function approveRedirect(emulator: ShopifyEmulatorState, shop: ShopRecord, request: AuthorizeRequest): string {
  const code = secureToken("");
  emulator.codes.set(code, {
    shop: shop.handle,
    clientId: request.app.clientId,
    scope: request.scope,
    online: request.online,
    expiresAt: emulator.now() + CODE_TTL_MS,
  });
  const params: Record<string, string> = {
    code,
    host: Buffer.from(`admin.shopify.com/store/${shop.handle}`).toString("base64").replace(/=+$/, ""),
    shop: shop.domain,
    state: request.state,
    timestamp: String(Math.floor(emulator.now() / 1000)),
  };
  params.hmac = shopifyQueryHmac(params, request.app.clientSecret);
  const url = new URL(request.redirectUri);
  for (const [key, value] of Object.entries(params)) url.searchParams.set(key, value);
  return url.toString();
}

function denyRedirect(request: AuthorizeRequest): string {
  const url = new URL(request.redirectUri);
  url.searchParams.set("error", "access_denied");
  url.searchParams.set("error_description", "The merchant declined to install the app.");
  if (request.state) url.searchParams.set("state", request.state);
  return url.toString();
}

function consentPage(shop: ShopRecord, request: AuthorizeRequest): string {
  const hidden = [
    ["client_id", request.app.clientId],
    ["scope", request.scope],
    ["redirect_uri", request.redirectUri],
    ["state", request.state],
    ...(request.online ? [["grant_options[]", "per-user"]] : []),
  ]
    .map(([name, value]) => `<input type="hidden" name="${escapeHtml(name ?? "")}" value="${escapeHtml(value ?? "")}">`)
    .join("");
  const scopes = request.scope
    .split(",")
    .filter(Boolean)
    .map((s) => `<li>${escapeHtml(s)}</li>`)
    .join("");
  return `<!DOCTYPE html><html><head><title>Install app — ${escapeHtml(shop.name)}</title></head><body>
<h1>Install app on ${escapeHtml(shop.name)}</h1>
<p>App <code>${escapeHtml(request.app.clientId)}</code> is requesting access to:</p><ul>${scopes}</ul>
<form method="post" action="/admin/oauth/authorize/approve?shop=${escapeHtml(shop.domain)}">${hidden}<button type="submit" id="approve">Install app</button></form>
<form method="post" action="/admin/oauth/authorize/deny?shop=${escapeHtml(shop.domain)}">${hidden}<button type="submit" id="deny">Cancel</button></form>
</body></html>`;
}

type TokenError = { status: 400 | 401; error: string; description: string };

function tokenError(c: Context<ShopifyEnv>, e: TokenError): Response {
  return c.json({ error: e.error, error_description: e.description }, e.status);
}

/** Shopify accepts the token request as JSON, form data or query parameters. */
async function readTokenParams(c: Context<ShopifyEnv>): Promise<Record<string, string> | undefined> {
  const params: Record<string, string> = { ...c.req.query() };
  const type = c.req.header("content-type") ?? "";
  const raw = await c.req.text();
  if (raw.trim() === "") return params;
  if (type.includes("application/json")) {
    let body: unknown;
    try {
      body = JSON.parse(raw);
    } catch {
      return undefined;
    }
    if (!body || typeof body !== "object" || Array.isArray(body)) return undefined;
    for (const [key, value] of Object.entries(body as Record<string, unknown>)) {
      if (typeof value === "string" || typeof value === "number" || typeof value === "boolean") params[key] = String(value);
    }
    return params;
  }
  for (const [key, value] of new URLSearchParams(raw)) params[key] = value;
  return params;
}

function isExpiringRequested(params: Record<string, string>): boolean {
  return params.expiring === "1" || params.expiring === "true";
}

export function registerOAuthRoutes(app: Hono<ShopifyEnv>, emulator: ShopifyEmulatorState): void {
  app.get("/admin/oauth/authorize", (c) => {
    const shop = c.get("shop");
    const request = readAuthorizeRequest(emulator, c.req.queries());
    if (typeof request === "string") return errorPage(c, request);
    if (emulator.autoApprove) return c.redirect(approveRedirect(emulator, shop, request), 302);
    return c.html(consentPage(shop, request));
  });

  for (const decision of ["approve", "deny"] as const) {
    app.post(`/admin/oauth/authorize/${decision}`, async (c) => {
      const shop = c.get("shop");
      const form = await c.req.parseBody({ all: true });
      const request = readAuthorizeRequest(emulator, form as Record<string, string | string[]>);
      if (typeof request === "string") return errorPage(c, request);
      return c.redirect(decision === "approve" ? approveRedirect(emulator, shop, request) : denyRedirect(request), 302);
    });
  }

  app.post("/admin/oauth/access_token", async (c) => {
    const fault = await applyFault(emulator, "oauth");
    if (fault) return fault;
    const shop = c.get("shop");
    const params = await readTokenParams(c);
    if (!params) return tokenError(c, { status: 400, error: "invalid_request", description: "The request body is not valid JSON." });
    const registered = params.client_id ? emulator.apps.get(params.client_id) : undefined;
    if (!registered || !params.client_secret || !safeEqual(params.client_secret, registered.clientSecret)) {
      return tokenError(c, { status: 401, error: "invalid_client", description: "Client authentication failed: the client_id or client_secret is invalid." });
    }
    const grantType = params.grant_type ?? "authorization_code";
    const now = emulator.now();

    if (grantType === "authorization_code") {
      const grant = params.code ? emulator.codes.get(params.code) : undefined;
      // Codes are single-use: a code is forgotten the moment anyone presents it.
      if (params.code) emulator.codes.delete(params.code);
      if (!grant || grant.expiresAt <= now || grant.clientId !== registered.clientId || grant.shop !== shop.handle) {
        return tokenError(c, { status: 400, error: "invalid_request", description: "The authorization code was not found or was already used" });
      }
      if (grant.online) {
        const token = secureToken("shpua_");
        emulator.accessTokens.set(token, {
          shop: shop.handle,
          clientId: registered.clientId,
          scope: grant.scope,
          expiresAt: now + ONLINE_TOKEN_TTL_S * 1000,
          online: true,
          revoked: false,
        });
        return c.json({
          access_token: token,
          scope: grant.scope,
          expires_in: ONLINE_TOKEN_TTL_S,
          associated_user_scope: grant.scope,
          associated_user: {
            id: 902541635,
            first_name: "Shop",
            last_name: "Owner",
            email: shop.email,
            email_verified: true,
            account_owner: true,
            locale: "en",
            collaborator: false,
          },
        });
      }
      return answerToken(c, emulator, issueOffline(emulator, shop.handle, registered.clientId, grant.scope, isExpiringRequested(params)));
    }

    if (grantType === "refresh_token") {
      const presented = params.refresh_token;
      const record = presented ? emulator.refreshTokens.get(presented) : undefined;
      if (!presented || !record || !refreshTokenUsable(record, now) || record.clientId !== registered.clientId || record.shop !== shop.handle) {
        return tokenError(c, { status: 400, error: "invalid_grant", description: "The refresh token is invalid, expired, or was already used." });
      }
      // Spent, but retryable until its replacement is used: a lost response is recoverable.
      record.firstUsedAt ??= now;
      return answerToken(c, emulator, issueOffline(emulator, shop.handle, registered.clientId, record.scope, true, presented));
    }

    if (grantType === TOKEN_EXCHANGE_GRANT_TYPE) {
      if (params.subject_token_type !== OFFLINE_ACCESS_TOKEN_TYPE) {
        return tokenError(c, { status: 400, error: "invalid_request", description: "Unsupported subject_token_type." });
      }
      if (!isExpiringRequested(params)) {
        return tokenError(c, { status: 400, error: "invalid_request", description: "Offline token migration requires expiring=1." });
      }
      const subjectToken = params.subject_token ?? "";
      const subject = emulator.accessTokens.get(subjectToken);
      const retried = retriedExchange(emulator, subjectToken, registered.clientId, shop.handle, now);
      if (retried) return answerToken(c, emulator, retried);
      if (!subject || subject.revoked || subject.online || subject.expiresAt !== null || subject.clientId !== registered.clientId || subject.shop !== shop.handle) {
        return tokenError(c, {
          status: 400,
          error: "invalid_subject_token",
          description: "The subject token is not an active non-expiring offline access token for this app and shop.",
        });
      }
      const issued = issueOffline(emulator, shop.handle, registered.clientId, subject.scope, true);
      emulator.tokenExchanges.set(subjectToken, { issuedAt: now, accessToken: String(issued.access_token), refreshToken: String(issued.refresh_token) });
      return answerToken(c, emulator, issued);
    }

    return tokenError(c, { status: 400, error: "unsupported_grant_type", description: "The grant_type is not supported." });
  });
}

function safeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

function refreshTokenUsable(record: RefreshTokenRecord, now: number): boolean {
  if (record.revoked || record.expiresAt <= now) return false;
  return record.firstUsedAt === null || now - record.firstUsedAt < REFRESH_RETRY_WINDOW_MS;
}

/**
 * A migration retried with the same legacy token within 7 days gets the same pair back (its
 * access token's expiry extended), until that pair is refreshed or replaced by a new grant.
 */
function retriedExchange(emulator: ShopifyEmulatorState, subjectToken: string, clientId: string, shop: string, now: number): Record<string, string | number> | undefined {
  const exchange = emulator.tokenExchanges.get(subjectToken);
  if (!exchange || now - exchange.issuedAt >= TOKEN_EXCHANGE_RETRY_WINDOW_MS) return undefined;
  const access = emulator.accessTokens.get(exchange.accessToken);
  const refresh = emulator.refreshTokens.get(exchange.refreshToken);
  if (!access || !refresh || access.revoked || refresh.revoked || refresh.firstUsedAt !== null) return undefined;
  if (access.clientId !== clientId || access.shop !== shop) return undefined;
  access.expiresAt = Math.max(access.expiresAt ?? 0, now + EXPIRING_ACCESS_TOKEN_TTL_S * 1000);
  return {
    access_token: exchange.accessToken,
    scope: access.scope,
    expires_in: Math.round((access.expiresAt - now) / 1000),
    refresh_token: exchange.refreshToken,
    refresh_token_expires_in: Math.round((refresh.expiresAt - now) / 1000),
  };
}

/** The token answer, or a connection reset after the grant was processed (the lost-response fault). */
function answerToken(c: Context<ShopifyEnv>, emulator: ShopifyEmulatorState, body: Record<string, string | number>): Response {
  if (emulator.takeLostTokenResponse()) {
    const incoming = (c.env as { incoming?: IncomingMessage } | undefined)?.incoming;
    incoming?.socket.destroy();
  }
  return c.json(body);
}

/**
 * Issues an offline token (and, when expiring, a refresh token). Every other offline grant of
 * this app and shop is revoked, except the refresh token just spent (`spentRefreshToken`),
 * which stays retryable until the replacement issued here is first used.
 */
function issueOffline(
  emulator: ShopifyEmulatorState,
  shop: string,
  clientId: string,
  scope: string,
  expiring: boolean,
  spentRefreshToken?: string,
): Record<string, string | number> {
  const now = emulator.now();
  emulator.revokeOfflineGrants(shop, clientId, spentRefreshToken);
  const accessToken = secureToken("shpat_");
  emulator.accessTokens.set(accessToken, {
    shop,
    clientId,
    scope,
    expiresAt: expiring ? now + EXPIRING_ACCESS_TOKEN_TTL_S * 1000 : null,
    online: false,
    revoked: false,
  });
  if (!expiring) return { access_token: accessToken, scope };
  const refreshToken = secureToken("shprt_");
  emulator.refreshTokens.set(refreshToken, { shop, clientId, scope, expiresAt: now + REFRESH_TOKEN_TTL_S * 1000, firstUsedAt: null, revoked: false });
  return {
    access_token: accessToken,
    scope,
    expires_in: EXPIRING_ACCESS_TOKEN_TTL_S,
    refresh_token: refreshToken,
    refresh_token_expires_in: REFRESH_TOKEN_TTL_S,
  };
}
