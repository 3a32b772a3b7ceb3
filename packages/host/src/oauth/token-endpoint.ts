// The token endpoint, as the manifest describes it: one request builder (encoding,
// client authentication, extra params) shared by the code exchange, refresh and token
// exchange, and one response reader (dot paths, expires_in or ISO expires_at, scopes).
import { BackfillError, isBackfillError, redact, registerSecret, type OAuthConfig } from "@backfill-io/sdk";
import { expandTemplate } from "@backfill-io/sdk/policy";
import { HostHttpError } from "../http/errors.js";
import { jsonBody, type HostHttp } from "../http/host-http.js";
import type { RetryPolicy } from "../retry/policy.js";
import type { OAuthAppCredential } from "../credentials/credentials.js";
import { TOKEN_ENDPOINT_UNAVAILABLE, TOKEN_REQUEST_REJECTED, TOKEN_RESPONSE_INVALID } from "../error-codes.js";

export type TokenSet = {
  accessToken: string;
  refreshToken: string | null;
  tokenType: string | null;
  /** Epoch ms; null when the token does not expire. */
  expiresAt: number | null;
  refreshExpiresAt: number | null;
  /** Granted scopes; null when the response says nothing (RFC 6749 5.1: as requested). */
  scopes: string[] | null;
  /** Non-secret account id from the response (`token.accountIdPath`), when configured. */
  accountId: string | null;
};

export type TokenEndpointErrorKind = "rejected" | "transient" | "invalid_response";

/** The codes of a failed token request, one per kind (error-codes.ts documents them). */
export const TOKEN_ENDPOINT_ERROR_CODES = [TOKEN_REQUEST_REJECTED, TOKEN_ENDPOINT_UNAVAILABLE, TOKEN_RESPONSE_INVALID] as const;
type TokenEndpointErrorCode = (typeof TOKEN_ENDPOINT_ERROR_CODES)[number];

const CODE_OF_KIND: Record<TokenEndpointErrorKind, TokenEndpointErrorCode> = {
  rejected: TOKEN_REQUEST_REJECTED,
  transient: TOKEN_ENDPOINT_UNAVAILABLE,
  invalid_response: TOKEN_RESPONSE_INVALID,
};

/**
 * `rejected` (token_request_rejected): the provider refused the grant (400/401/other 4xx,
 * e.g. invalid_grant) — retrying will not help. `transient` (token_endpoint_unavailable): 5xx,
 * 429 or a network failure — retry later. Callers tell them apart by `code`; `details` holds
 * the status and the OAuth error. The class only names the kind at its throw sites.
 */
export class TokenEndpointError extends BackfillError<TokenEndpointErrorCode> {
  constructor(
    kind: TokenEndpointErrorKind,
    message: string,
    readonly status: number | null,
    readonly oauthError: string | null,
  ) {
    super(CODE_OF_KIND[kind], message, { status, oauthError });
    this.name = "TokenEndpointError";
  }
}

/** Only a transient failure (5xx, 429, unreachable) is worth another token request. */
function isTransientTokenFailure(error: unknown): boolean {
  return isBackfillError(error, [TOKEN_ENDPOINT_UNAVAILABLE]);
}

/**
 * The token endpoint's retry policy (for the host's one retry loop): a quarter of each wait is
 * random; the endpoint's Retry-After is not read (the refresh holds a lease meanwhile).
 */
export function tokenEndpointRetryPolicy(limits: { attempts: number; baseDelayMs: number; maxDelayMs: number }): RetryPolicy {
  return { ...limits, jitter: 0.25, maxRetryAfterMs: 0, transient: isTransientTokenFailure };
}

export type TokenRequest = {
  http: HostHttp;
  oauth: OAuthConfig;
  /** Validated, normalized settings (for `{settings.X}` in the token URL). */
  settings: Record<string, unknown>;
  credential: OAuthAppCredential;
  /** grant_type and the grant's own parameters. */
  params: Record<string, string>;
  timeoutMs?: number;
};

/** Sends a token request and returns the parsed JSON body of a 2xx answer. */
export async function requestToken(req: TokenRequest): Promise<Record<string, unknown>> {
  const { oauth, credential } = req;
  registerSecret(credential.clientSecret, ...Object.values(req.params));
  const url = expandTemplate(oauth.tokenUrlTemplate, req.settings);
  // The manifest's extras never override the grant's own parameters (grant_type, code, ...).
  const params: Record<string, string> = { ...oauth.tokenRequestParams, ...req.params };
  const headers: Record<string, string> = { accept: "application/json" };
  switch (oauth.client.authMethod) {
    case "client_secret_basic": {
      const basic = Buffer.from(`${encodeURIComponent(credential.clientId)}:${encodeURIComponent(credential.clientSecret)}`).toString("base64");
      registerSecret(basic);
      headers.authorization = `Basic ${basic}`;
      break;
    }
    case "client_secret_post":
      params.client_id = credential.clientId;
      params.client_secret = credential.clientSecret;
      break;
    case "none":
      params.client_id = credential.clientId;
      break;
  }
  let body: string;
  if (oauth.tokenRequestEncoding === "json") {
    headers["content-type"] = "application/json";
    body = JSON.stringify(params);
  } else {
    headers["content-type"] = "application/x-www-form-urlencoded";
    body = new URLSearchParams(params).toString();
  }
  let res;
  try {
    res = await req.http({ method: "POST", url, headers, body, timeoutMs: req.timeoutMs ?? 30_000 });
  } catch (error) {
    if (error instanceof HostHttpError) throw new TokenEndpointError("transient", `token endpoint unreachable: ${error.message}`, null, null);
    throw error;
  }
  const json = jsonBody(res);
  const obj = json && typeof json === "object" && !Array.isArray(json) ? (json as Record<string, unknown>) : undefined;
  if (res.status >= 200 && res.status < 300) {
    if (!obj) throw new TokenEndpointError("invalid_response", `token endpoint answered ${res.status} without a JSON object`, res.status, null);
    return obj;
  }
  const oauthError = typeof obj?.error === "string" ? obj.error : null;
  const description = typeof obj?.error_description === "string" ? `: ${obj.error_description}` : "";
  const what = `token endpoint answered ${res.status}${oauthError ? ` ${oauthError}` : ""}${description}`;
  const transient = res.status >= 500 || res.status === 429;
  throw new TokenEndpointError(transient ? "transient" : "rejected", redact(what), res.status, oauthError);
}

/** Reads `a.b.c` from a JSON object. */
export function readPath(value: unknown, path: string): unknown {
  let cur = value;
  for (const part of path.split(".")) {
    if (cur === null || typeof cur !== "object") return undefined;
    cur = (cur as Record<string, unknown>)[part];
  }
  return cur;
}

function asSeconds(value: unknown): number | null {
  const n = typeof value === "string" && value.trim() ? Number(value) : value;
  return typeof n === "number" && Number.isFinite(n) && n >= 0 ? n : null;
}

/** Granted scopes from a scope field: a list, or text split on the separator, commas or spaces. */
export function parseScopes(raw: unknown, separator: string): string[] | null {
  if (Array.isArray(raw)) return raw.map(String).filter(Boolean);
  if (typeof raw !== "string") return null;
  const parts = raw.split(separator).flatMap((s) => s.split(/[\s,]+/));
  return [...new Set(parts.map((s) => s.trim()).filter(Boolean))];
}

export function parseTokenResponse(oauth: OAuthConfig, body: Record<string, unknown>, now: number): TokenSet {
  const paths = oauth.token;
  const accessToken = readPath(body, paths.accessTokenPath);
  if (typeof accessToken !== "string" || !accessToken) {
    throw new TokenEndpointError("invalid_response", `token response has no access token at ${paths.accessTokenPath}`, null, null);
  }
  const refreshRaw = paths.refreshTokenPath ? readPath(body, paths.refreshTokenPath) : undefined;
  const refreshToken = typeof refreshRaw === "string" && refreshRaw ? refreshRaw : null;
  registerSecret(accessToken, refreshToken);

  let expiresAt: number | null = null;
  if (paths.expiresInPath) {
    const s = asSeconds(readPath(body, paths.expiresInPath));
    if (s !== null) expiresAt = now + s * 1000;
  } else if (paths.expiresAtPath) {
    const raw = readPath(body, paths.expiresAtPath);
    const t = typeof raw === "string" ? Date.parse(raw) : NaN;
    if (!Number.isFinite(t)) {
      if (raw !== undefined) throw new TokenEndpointError("invalid_response", `token response ${paths.expiresAtPath} is not an ISO-8601 time`, null, null);
    } else expiresAt = t;
  } else {
    // RFC 6749 names expires_in; read it even when the manifest does not.
    const s = asSeconds(body.expires_in);
    if (s !== null) expiresAt = now + s * 1000;
  }
  let refreshExpiresAt: number | null = null;
  if (paths.refreshExpiresInPath) {
    const s = asSeconds(readPath(body, paths.refreshExpiresInPath));
    if (s !== null) refreshExpiresAt = now + s * 1000;
  } else if (paths.refreshExpiresAtPath) {
    const raw = readPath(body, paths.refreshExpiresAtPath);
    const t = typeof raw === "string" ? Date.parse(raw) : NaN;
    if (Number.isFinite(t)) refreshExpiresAt = t;
  }
  const tokenTypeRaw = readPath(body, paths.tokenTypePath ?? "token_type");
  const accountRaw = paths.accountIdPath ? readPath(body, paths.accountIdPath) : undefined;
  return {
    accessToken,
    refreshToken,
    tokenType: typeof tokenTypeRaw === "string" ? tokenTypeRaw : null,
    expiresAt,
    refreshExpiresAt,
    scopes: parseScopes(readPath(body, paths.scopePath ?? "scope"), oauth.scopeSeparator),
    accountId: typeof accountRaw === "string" || typeof accountRaw === "number" ? String(accountRaw) : null,
  };
}
