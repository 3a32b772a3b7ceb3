// Operator dashboard sessions: a host API key, checked once at login, is exchanged for a
// random session cookie (HttpOnly, SameSite=Strict); the key itself is never stored or
// sent again. Each session has a CSRF token that every unsafe request must echo (form
// field or x-csrf-token header). Sessions live in this process's memory and end with it,
// at logout, after 12 hours, or as soon as their API key is revoked.
import { createHash, randomBytes } from "node:crypto";
import type { Context } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import { registerSecret } from "@backfill-io/sdk";
import { timingSafeEqualText } from "@backfill-io/sdk/policy";
import type { Store } from "../../store/store.js";

export const DASHBOARD_SESSION_TTL_MS = 12 * 3600_000;
export const CSRF_HEADER = "x-csrf-token";
export const CSRF_FIELD = "_csrf";

export type DashboardSession = { apiKeyId: string; csrf: string; expiresAt: number };

const digest = (token: string) => createHash("sha256").update(token).digest("hex");

export class DashboardSessions {
  private readonly byHash = new Map<string, DashboardSession>();

  constructor(
    private readonly store: Store,
    readonly secure: boolean,
  ) {}

  get cookieName(): string {
    return `${this.secure ? "__Host-" : ""}bf_dashboard`;
  }

  /** Starts a session for a verified API key and sets its cookie. */
  start(c: Context, apiKeyId: string): DashboardSession {
    const token = randomBytes(32).toString("base64url");
    registerSecret(token);
    const session = { apiKeyId, csrf: randomBytes(24).toString("base64url"), expiresAt: this.store.now() + DASHBOARD_SESSION_TTL_MS };
    this.byHash.set(digest(token), session);
    setCookie(c, this.cookieName, token, { httpOnly: true, secure: this.secure, sameSite: "Strict", path: "/", maxAge: DASHBOARD_SESSION_TTL_MS / 1000 });
    return session;
  }

  /** The live session of the request's cookie (its API key not revoked), or undefined. */
  async current(c: Context): Promise<DashboardSession | undefined> {
    const token = getCookie(c, this.cookieName);
    if (!token) return undefined;
    const key = digest(token);
    const session = this.byHash.get(key);
    if (!session) return undefined;
    const live = (await this.store.apiKeys.list()).some((k) => k.id === session.apiKeyId && k.revoked_at === null);
    if (session.expiresAt <= this.store.now() || !live) {
      this.byHash.delete(key);
      return undefined;
    }
    return session;
  }

  end(c: Context): void {
    const token = getCookie(c, this.cookieName);
    if (token) this.byHash.delete(digest(token));
    deleteCookie(c, this.cookieName, { path: "/", secure: this.secure });
  }
}

/** The request's CSRF token (header or form field) matches the session's. */
export function csrfValid(session: DashboardSession, sent: string | undefined): boolean {
  return typeof sent === "string" && sent.length > 0 && timingSafeEqualText(sent, session.csrf);
}

/** The login form's CSRF: a random value in a cookie and in the form (double submit), before any session exists. */
export const LOGIN_CSRF_COOKIE = "bf_login_csrf";
export function newLoginCsrf(c: Context, secure: boolean): string {
  const value = randomBytes(24).toString("base64url");
  setCookie(c, LOGIN_CSRF_COOKIE, value, { httpOnly: true, secure, sameSite: "Strict", path: "/ui/login", maxAge: 3600 });
  return value;
}
export function loginCsrfValid(c: Context, sent: unknown): boolean {
  const cookie = getCookie(c, LOGIN_CSRF_COOKIE);
  return typeof sent === "string" && !!cookie && sent.length > 0 && timingSafeEqualText(sent, cookie);
}
