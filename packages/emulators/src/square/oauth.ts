// Square's OAuth endpoints: the authorize consent page, ObtainToken and RevokeToken.
// Secrets, codes, verifiers and tokens never appear in a response body or error detail.

import { timingSafeEqual } from "node:crypto";
import type { Context, Hono } from "hono";
import type { SquareApp, SquareEmulatorState } from "./state.js";
import type { CodeRedemption, RefreshRedemption } from "./tokens.js";
import type { SquareError } from "./types.js";

/** Scopes Square grants when the authorize request names none. */
const DEFAULT_SCOPES = ["MERCHANT_PROFILE_READ", "PAYMENTS_READ", "SETTLEMENTS_READ", "BANK_ACCOUNTS_READ"];

/**
 * Square's OAuth endpoints answer in two shapes: the legacy `{ message, type }` (e.g.
 * "Not Authorized" / "service.not_authorized" for bad client credentials) and the v2
 * `{ errors: [...] }`. The emulator sends both in one body so either parser finds its field.
 */
function oauthError(c: Context, status: 400 | 401 | 404, message: string, error: SquareError): Response {
  return c.json({ message, type: status === 401 ? "service.not_authorized" : status === 404 ? "not_found" : "bad_request", errors: [error] }, status);
}

const unauthorized = (c: Context, detail: string, message = "Not Authorized") => oauthError(c, 401, message, { category: "AUTHENTICATION_ERROR", code: "UNAUTHORIZED", detail });

const badRequest = (c: Context, code: string, detail: string, field?: string) =>
  oauthError(c, 400, detail, field === undefined ? { category: "INVALID_REQUEST_ERROR", code, detail } : { category: "INVALID_REQUEST_ERROR", code, detail, field });

function secretMatches(app: SquareApp, given: unknown): boolean {
  if (typeof given !== "string") return false;
  const expected = Buffer.from(app.clientSecret);
  const actual = Buffer.from(given);
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}

const escapeHtml = (value: string) => value.replace(/[&<>"']/g, (char) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[char]!);

interface AuthorizeRequest {
  app: SquareApp;
  redirectUri: string;
  scopes: string[];
  state?: string;
  codeChallenge?: string;
}

type Parsed = { ok: true; request: AuthorizeRequest } | { ok: false; detail: string };

function parseAuthorize(state: SquareEmulatorState, params: Record<string, string | undefined>): Parsed {
  const app = params.client_id ? state.apps.get(params.client_id) : undefined;
  if (!app) return { ok: false, detail: "Unknown or missing client_id." };
  const redirectUri = params.redirect_uri || app.redirectUri;
  if (!redirectUri) return { ok: false, detail: "No redirect URL: pass redirect_uri or register one for the app." };
  if (app.redirectUri && params.redirect_uri && params.redirect_uri !== app.redirectUri) {
    return { ok: false, detail: "redirect_uri does not match the redirect URL registered for this application." };
  }
  try {
    new URL(redirectUri);
  } catch {
    return { ok: false, detail: "redirect_uri is not a valid URL." };
  }
  if (params.code_challenge !== undefined && (params.code_challenge_method ?? "S256") !== "S256") {
    return { ok: false, detail: "code_challenge_method must be S256." };
  }
  if (params.code_challenge !== undefined && !/^[A-Za-z0-9_-]{43}$/.test(params.code_challenge)) {
    return { ok: false, detail: "code_challenge must be a base64url SHA-256 digest." };
  }
  const scopes = params.scope ? params.scope.split(/[\s+,]+/).filter(Boolean) : DEFAULT_SCOPES;
  return { ok: true, request: { app, redirectUri, scopes, state: params.state, codeChallenge: params.code_challenge } };
}

function redirectWith(c: Context, redirectUri: string, params: Record<string, string | undefined>): Response {
  const url = new URL(redirectUri);
  for (const [key, value] of Object.entries(params)) if (value !== undefined) url.searchParams.set(key, value);
  return c.redirect(url.toString(), 302);
}

function approve(c: Context, state: SquareEmulatorState, request: AuthorizeRequest, merchantId: string): Response {
  const code = state.oauth.issueCode({
    clientId: request.app.clientId,
    merchantId,
    scopes: request.scopes,
    redirectUri: request.redirectUri,
    codeChallenge: request.codeChallenge,
  });
  return redirectWith(c, request.redirectUri, { code, response_type: "code", state: request.state });
}

function consentPage(state: SquareEmulatorState, params: Record<string, string | undefined>, request: AuthorizeRequest): string {
  const hidden = ["client_id", "scope", "state", "redirect_uri", "code_challenge", "code_challenge_method"]
    .filter((name) => params[name] !== undefined)
    .map((name) => `<input type="hidden" name="${name}" value="${escapeHtml(params[name]!)}">`)
    .join("\n      ");
  const options = [...state.merchants.values()]
    .map(({ merchant }) => {
      const selected = merchant.id === state.defaultMerchantId ? " selected" : "";
      return `<option value="${escapeHtml(merchant.id)}"${selected}>${escapeHtml(merchant.business_name)} (${escapeHtml(merchant.id)})</option>`;
    })
    .join("");
  return `<!doctype html>
<html><head><meta charset="utf-8"><title>Square emulator: authorize</title></head>
<body>
  <h1>Authorize application</h1>
  <p>Application <code>${escapeHtml(request.app.clientId)}</code> requests: ${request.scopes.map(escapeHtml).join(", ")}</p>
  <form method="post" action="/oauth2/authorize">
      ${hidden}
      <label>Merchant <select name="merchant_id">${options}</select></label>
      <button type="submit" name="decision" value="approve">Allow</button>
      <button type="submit" name="decision" value="deny">Deny</button>
  </form>
</body></html>`;
}

function chooseMerchant(state: SquareEmulatorState, requested: string | undefined): string | undefined {
  const candidate = requested || state.defaultMerchantId || [...state.merchants.keys()][0];
  return candidate !== undefined && state.merchants.has(candidate) ? candidate : undefined;
}

const CODE_FAILURES: Record<Exclude<CodeRedemption, { ok: true }>["reason"], string> = {
  not_found: "Authorization code not found for this application.",
  used: "Authorization code has already been used.",
  expired: "Authorization code is expired.",
  redirect_mismatch: "redirect_uri does not match the one used to obtain the authorization code.",
  verifier_required: "code_verifier is required for an authorization code obtained with a code_challenge.",
  verifier_mismatch: "code_verifier does not match the code_challenge.",
  secret_required: "client_secret is required for the code flow.",
};

const REFRESH_FAILURES: Record<Exclude<RefreshRedemption, { ok: true }>["reason"], string> = {
  invalid: "Invalid refresh token",
  expired: "Refresh token is expired",
  revoked: "Refresh token has been revoked",
  secret_required: "client_secret is required to refresh a code flow refresh token",
};

async function jsonBody(c: Context): Promise<Record<string, unknown> | undefined> {
  if (!(c.req.header("content-type") ?? "").toLowerCase().includes("application/json")) return undefined;
  try {
    const body: unknown = await c.req.json();
    return body && typeof body === "object" && !Array.isArray(body) ? (body as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

const text = (value: unknown) => (typeof value === "string" && value !== "" ? value : undefined);

export function registerOAuthRoutes(app: Hono, state: SquareEmulatorState): void {
  app.get("/oauth2/authorize", (c) => {
    const params = c.req.query();
    const parsed = parseAuthorize(state, params);
    if (!parsed.ok) return c.html(`<!doctype html><p>${escapeHtml(parsed.detail)}</p>`, 400);
    if (state.autoApprove) {
      const merchantId = chooseMerchant(state, params.merchant_id);
      if (!merchantId) return c.html("<!doctype html><p>No merchant to authorize.</p>", 400);
      return approve(c, state, parsed.request, merchantId);
    }
    return c.html(consentPage(state, params, parsed.request));
  });

  app.post("/oauth2/authorize", async (c) => {
    const form = await c.req.parseBody();
    const params: Record<string, string | undefined> = {};
    for (const [key, value] of Object.entries(form)) if (typeof value === "string") params[key] = value;
    const parsed = parseAuthorize(state, params);
    if (!parsed.ok) return c.html(`<!doctype html><p>${escapeHtml(parsed.detail)}</p>`, 400);
    if (params.decision !== "approve") {
      return redirectWith(c, parsed.request.redirectUri, { error: "access_denied", error_description: "user_denied", state: parsed.request.state });
    }
    const merchantId = chooseMerchant(state, params.merchant_id);
    if (!merchantId) return c.html("<!doctype html><p>No merchant to authorize.</p>", 400);
    return approve(c, state, parsed.request, merchantId);
  });

  app.post("/oauth2/token", async (c) => {
    const body = await jsonBody(c);
    if (!body) return badRequest(c, "INVALID_CONTENT_TYPE", "The request body must be a JSON object sent with Content-Type: application/json.");
    const clientId = text(body.client_id);
    if (!clientId) return badRequest(c, "MISSING_REQUIRED_PARAMETER", "Missing required parameter: client_id", "client_id");
    const app = state.apps.get(clientId);
    if (!app) return unauthorized(c, "Unknown client_id.");
    const secretGiven = body.client_secret !== undefined;
    const clientSecretValid = secretMatches(app, body.client_secret);
    if (secretGiven && !clientSecretValid) return unauthorized(c, "Invalid client credentials.");

    const grantType = text(body.grant_type);
    if (grantType === "authorization_code") {
      const code = text(body.code);
      if (!code) return badRequest(c, "MISSING_REQUIRED_PARAMETER", "Missing required parameter: code", "code");
      const redeemed = state.oauth.redeemCode(code, clientId, {
        clientSecretValid,
        codeVerifier: text(body.code_verifier),
        redirectUri: text(body.redirect_uri),
      });
      if (!redeemed.ok) return unauthorized(c, CODE_FAILURES[redeemed.reason], CODE_FAILURES[redeemed.reason]);
      const { record } = redeemed;
      return c.json(
        state.oauth.issueTokens(
          { clientId, merchantId: record.merchantId, scopes: limitScopes(record.scopes, body.scopes), pkce: record.pkce },
          { shortLived: body.short_lived === true },
        ),
      );
    }
    if (grantType === "refresh_token") {
      const refreshToken = text(body.refresh_token);
      if (!refreshToken) return badRequest(c, "MISSING_REQUIRED_PARAMETER", "Missing required parameter: refresh_token", "refresh_token");
      const redeemed = state.oauth.redeemRefreshToken(refreshToken, clientId, clientSecretValid);
      if (!redeemed.ok) return unauthorized(c, REFRESH_FAILURES[redeemed.reason], REFRESH_FAILURES[redeemed.reason]);
      const { record } = redeemed;
      const grant = { clientId, merchantId: record.merchantId, scopes: limitScopes(record.scopes, body.scopes), pkce: record.pkce };
      // Code flow: the same refresh token comes back. PKCE: a new single-use one replaces it.
      return c.json(state.oauth.issueTokens(grant, { refreshToken: record.pkce ? undefined : refreshToken }));
    }
    return badRequest(c, "INVALID_VALUE", "grant_type must be authorization_code or refresh_token.", "grant_type");
  });

  app.post("/oauth2/revoke", async (c) => {
    const body = await jsonBody(c);
    if (!body) return badRequest(c, "INVALID_CONTENT_TYPE", "The request body must be a JSON object sent with Content-Type: application/json.");
    const clientId = text(body.client_id);
    const app = clientId ? state.apps.get(clientId) : undefined;
    const secret = /^Client\s+(\S+)\s*$/.exec(c.req.header("authorization") ?? "")?.[1];
    if (!app || !secretMatches(app, secret)) return unauthorized(c, "Invalid client credentials.");
    const accessToken = text(body.access_token);
    const merchantId = text(body.merchant_id);
    if (!accessToken && !merchantId) return badRequest(c, "MISSING_REQUIRED_PARAMETER", "Either access_token or merchant_id is required.");
    let targetMerchant = merchantId;
    if (accessToken) {
      const record = state.oauth.accessTokens.get(accessToken);
      if (!record || record.clientId !== app.clientId) {
        return oauthError(c, 404, "access token not found", { category: "INVALID_REQUEST_ERROR", code: "NOT_FOUND", detail: "access token not found" });
      }
      targetMerchant = record.merchantId;
    }
    state.oauth.revoke(app.clientId, targetMerchant!, body.revoke_only_access_token === true ? accessToken : undefined);
    return c.json({ success: true });
  });
}

/** ObtainToken's `scopes` can narrow, never widen, what the seller granted. */
function limitScopes(granted: string[], requested: unknown): string[] {
  if (!Array.isArray(requested)) return granted;
  return granted.filter((scope) => (requested as unknown[]).includes(scope));
}
