// OAuth grant bookkeeping: authorization codes, access tokens and refresh tokens, with Square's
// lifetimes. Code flow refresh tokens are multi-use and never rotate; PKCE refresh tokens are
// single-use, rotate on every refresh and expire after 90 days.

import { createHash, randomBytes, timingSafeEqual } from "node:crypto";

export const AUTHORIZATION_CODE_TTL_MS = 5 * 60_000;
export const ACCESS_TOKEN_TTL_MS = 30 * 86_400_000;
export const SHORT_LIVED_ACCESS_TOKEN_TTL_MS = 86_400_000;
export const PKCE_REFRESH_TOKEN_TTL_MS = 90 * 86_400_000;

interface Grant {
  clientId: string;
  merchantId: string;
  scopes: string[];
  pkce: boolean;
}

export interface AuthorizationCodeRecord extends Grant {
  redirectUri?: string;
  codeChallenge?: string;
  expiresAtMs: number;
  used: boolean;
}

export interface AccessTokenRecord extends Grant {
  expiresAtMs: number;
  revoked: boolean;
}

export interface RefreshTokenRecord extends Grant {
  /** Only PKCE refresh tokens expire. */
  expiresAtMs?: number;
  used: boolean;
  revoked: boolean;
}

export interface IssuedTokens {
  access_token: string;
  token_type: "bearer";
  expires_at: string;
  merchant_id: string;
  refresh_token?: string;
  refresh_token_expires_at?: string;
  short_lived: boolean;
}

export type AccessTokenCheck = { ok: true; record: AccessTokenRecord } | { ok: false; code: "UNAUTHORIZED" | "ACCESS_TOKEN_EXPIRED" | "ACCESS_TOKEN_REVOKED" };

export type CodeRedemption =
  | { ok: true; record: AuthorizationCodeRecord }
  | { ok: false; reason: "not_found" | "used" | "expired" | "redirect_mismatch" | "verifier_required" | "verifier_mismatch" | "secret_required" };

export type RefreshRedemption = { ok: true; record: RefreshTokenRecord } | { ok: false; reason: "invalid" | "expired" | "revoked" | "secret_required" };

const opaque = (prefix: string, bytes: number) => prefix + randomBytes(bytes).toString("base64url");

/** S256 code challenge of a PKCE code verifier (RFC 7636 §4.2). */
export function s256(codeVerifier: string): string {
  return createHash("sha256").update(codeVerifier).digest("base64url");
}

function safeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

export class OAuthStore {
  readonly codes = new Map<string, AuthorizationCodeRecord>();
  readonly accessTokens = new Map<string, AccessTokenRecord>();
  readonly refreshTokens = new Map<string, RefreshTokenRecord>();

  constructor(private readonly now: () => number) {}

  issueCode(grant: Omit<Grant, "pkce"> & { redirectUri?: string; codeChallenge?: string }): string {
    const code = opaque("sq0cgp-", 24);
    this.codes.set(code, {
      ...grant,
      pkce: grant.codeChallenge !== undefined,
      expiresAtMs: this.now() + AUTHORIZATION_CODE_TTL_MS,
      used: false,
    });
    return code;
  }

  /** Redeems a code once. A second redemption fails even if the first one's exchange failed later. */
  redeemCode(code: string, clientId: string, proof: { clientSecretValid: boolean; codeVerifier?: string; redirectUri?: string }): CodeRedemption {
    const record = this.codes.get(code);
    if (!record || record.clientId !== clientId) return { ok: false, reason: "not_found" };
    if (record.used) return { ok: false, reason: "used" };
    record.used = true;
    if (this.now() >= record.expiresAtMs) return { ok: false, reason: "expired" };
    if (record.redirectUri !== undefined && proof.redirectUri !== undefined && proof.redirectUri !== record.redirectUri) {
      return { ok: false, reason: "redirect_mismatch" };
    }
    if (record.codeChallenge !== undefined) {
      if (proof.codeVerifier === undefined) return { ok: false, reason: "verifier_required" };
      if (!safeEqual(s256(proof.codeVerifier), record.codeChallenge)) return { ok: false, reason: "verifier_mismatch" };
      return { ok: true, record };
    }
    return proof.clientSecretValid ? { ok: true, record } : { ok: false, reason: "secret_required" };
  }

  /** Issues an access token (and, unless short-lived, a refresh token) for a grant. */
  issueTokens(grant: Grant, options: { shortLived?: boolean; refreshToken?: string } = {}): IssuedTokens {
    const now = this.now();
    const shortLived = options.shortLived ?? false;
    const accessToken = opaque("EAAA", 45);
    const expiresAtMs = now + (shortLived ? SHORT_LIVED_ACCESS_TOKEN_TTL_MS : ACCESS_TOKEN_TTL_MS);
    this.accessTokens.set(accessToken, { ...grant, expiresAtMs, revoked: false });
    const issued: IssuedTokens = {
      access_token: accessToken,
      token_type: "bearer",
      expires_at: isoSeconds(expiresAtMs),
      merchant_id: grant.merchantId,
      short_lived: shortLived,
    };
    if (shortLived) return issued;
    if (options.refreshToken !== undefined) {
      issued.refresh_token = options.refreshToken;
      return issued;
    }
    const refreshToken = opaque("EQAA", 45);
    const refreshExpiresAtMs = grant.pkce ? now + PKCE_REFRESH_TOKEN_TTL_MS : undefined;
    this.refreshTokens.set(refreshToken, { ...grant, expiresAtMs: refreshExpiresAtMs, used: false, revoked: false });
    issued.refresh_token = refreshToken;
    if (refreshExpiresAtMs !== undefined) issued.refresh_token_expires_at = isoSeconds(refreshExpiresAtMs);
    return issued;
  }

  /** Checks a refresh token; a PKCE one is consumed by this call (single use). */
  redeemRefreshToken(refreshToken: string, clientId: string, clientSecretValid: boolean): RefreshRedemption {
    const record = this.refreshTokens.get(refreshToken);
    if (!record || record.clientId !== clientId) return { ok: false, reason: "invalid" };
    if (record.revoked) return { ok: false, reason: "revoked" };
    // Code flow refresh tokens need the client secret; PKCE ones are redeemed by client_id alone.
    if (!record.pkce && !clientSecretValid) return { ok: false, reason: "secret_required" };
    if (record.pkce) {
      if (record.used) return { ok: false, reason: "invalid" };
      if (record.expiresAtMs !== undefined && this.now() >= record.expiresAtMs) return { ok: false, reason: "expired" };
      record.used = true;
    }
    return { ok: true, record };
  }

  checkAccessToken(token: string): AccessTokenCheck {
    const record = this.accessTokens.get(token);
    if (!record) return { ok: false, code: "UNAUTHORIZED" };
    if (record.revoked) return { ok: false, code: "ACCESS_TOKEN_REVOKED" };
    if (this.now() >= record.expiresAtMs) return { ok: false, code: "ACCESS_TOKEN_EXPIRED" };
    return { ok: true, record };
  }

  /**
   * Revokes what Square revokes: every access and refresh token of the (app, merchant) pair, or
   * only one access token when `onlyAccessToken` is given. Returns how many tokens died.
   */
  revoke(clientId: string, merchantId: string, onlyAccessToken?: string): number {
    let count = 0;
    if (onlyAccessToken !== undefined) {
      const record = this.accessTokens.get(onlyAccessToken);
      if (record && !record.revoked) {
        record.revoked = true;
        count += 1;
      }
      return count;
    }
    for (const store of [this.accessTokens, this.refreshTokens]) {
      for (const record of store.values()) {
        if (record.clientId === clientId && record.merchantId === merchantId && !record.revoked) {
          record.revoked = true;
          count += 1;
        }
      }
    }
    return count;
  }
}

/** Square writes token expiry times to the second: "2026-08-01T12:00:00Z". */
export function isoSeconds(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");
}
