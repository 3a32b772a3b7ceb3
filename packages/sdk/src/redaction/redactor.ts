// Redaction of secrets from anything that may reach a log, an error or a response:
// (a) every registered secret value, (b) token-shaped patterns, (c) sensitive keys at
// any depth. Strings, objects, arrays, URLs and Errors (message, stack, cause).

export const REDACTED = "[REDACTED]";

const SENSITIVE_KEY = /(^|[-_.])?(authorization|cookie|set-cookie|x-shopify-access-token|code[-_]?verifier|client[-_]?secret|api[-_]?key|private[-_]?key|credential)s?$|token|secret|passw(or)?d/i;
/** Keys that look sensitive but hold no secret. */
const SAFE_KEYS = new Set(["token_type", "tokenType", "tokenUrlTemplate", "accessTokenPath", "refreshTokenPath", "secrets", "x-secret"]);

const PATTERNS: [RegExp, string | ((m: string, ...g: string[]) => string)][] = [
  [/\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]{4,}/gi, (_m, scheme: string) => `${scheme} ${REDACTED}`],
  [/\b(shp[a-z]{2})_[A-Za-z0-9]{6,}/g, (_m, prefix: string) => `${prefix}_${REDACTED}`],
  [/\bE[AQ]AA[A-Za-z0-9_-]{12,}/g, REDACTED],
  [
    /\b(access_token|refresh_token|id_token|client_secret|code_verifier|code|token|password)=([^&\s"'<>]+)/gi,
    (_m, key: string) => `${key}=${REDACTED}`,
  ],
  [
    /("(?:access_token|refresh_token|id_token|client_secret|code_verifier|accessToken|refreshToken|clientSecret|codeVerifier|password)"\s*:\s*)"(?:[^"\\]|\\.)*"/g,
    (_m, head: string) => `${head}"${REDACTED}"`,
  ],
];

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

export function isSensitiveKey(key: string): boolean {
  return !SAFE_KEYS.has(key) && SENSITIVE_KEY.test(key);
}

export class Redactor {
  private readonly secrets = new Set<string>();
  private matcher: RegExp | null = null;

  /** Registers a live secret (token, client secret, code verifier, authorization code). */
  register(...values: (string | null | undefined)[]): void {
    let changed = false;
    for (const value of values) {
      // Very short values would redact ordinary words; they are not real secrets.
      if (typeof value === "string" && value.length >= 6 && !this.secrets.has(value)) {
        this.secrets.add(value);
        changed = true;
      }
    }
    if (changed) this.matcher = null;
  }

  get size(): number {
    return this.secrets.size;
  }

  redactString(text: string): string {
    let out = text;
    if (this.secrets.size) {
      // Longest first, so a secret containing another is removed whole; also its URL-encoded form.
      this.matcher ??= new RegExp(
        [...this.secrets]
          .flatMap((s) => (encodeURIComponent(s) === s ? [s] : [s, encodeURIComponent(s)]))
          .sort((a, b) => b.length - a.length)
          .map(escapeRegExp)
          .join("|"),
        "g",
      );
      out = out.replace(this.matcher, REDACTED);
    }
    for (const [pattern, replacement] of PATTERNS) out = out.replace(pattern, replacement as string);
    return out;
  }

  redact<T>(value: T): T {
    return this.walk(value, new WeakMap()) as T;
  }

  private walk(value: unknown, seen: WeakMap<object, unknown>): unknown {
    if (typeof value === "string") return this.redactString(value);
    if (value === null || typeof value !== "object") return value;
    if (seen.has(value)) return seen.get(value);
    if (value instanceof URL) {
      const url = new URL(value.href);
      url.username = "";
      url.password = "";
      for (const key of [...url.searchParams.keys()]) if (isSensitiveKey(key) || key === "code") url.searchParams.set(key, REDACTED);
      return new URL(this.redactString(url.href));
    }
    if (value instanceof Error) {
      const copy = Object.create(Object.getPrototypeOf(value) as object) as Error & Record<string, unknown>;
      seen.set(value, copy);
      for (const key of Object.getOwnPropertyNames(value)) {
        const v = (value as unknown as Record<string, unknown>)[key];
        copy[key] = isSensitiveKey(key) ? REDACTED : this.walk(v, seen);
      }
      return copy;
    }
    if (Array.isArray(value)) {
      const out: unknown[] = [];
      seen.set(value, out);
      for (const item of value) out.push(this.walk(item, seen));
      return out;
    }
    if (value instanceof Map) {
      const out = new Map();
      seen.set(value, out);
      for (const [k, v] of value) out.set(k, typeof k === "string" && isSensitiveKey(k) ? REDACTED : this.walk(v, seen));
      return out;
    }
    if (ArrayBuffer.isView(value) || value instanceof Date) return value;
    const out: Record<string, unknown> = {};
    seen.set(value, out);
    for (const [k, v] of Object.entries(value)) {
      out[k] = isSensitiveKey(k) && v !== null && v !== undefined ? REDACTED : this.walk(v, seen);
    }
    return out;
  }
}

const DEFAULT_KEY = Symbol.for("backfill.sdk.redactor");
type GlobalWithRedactor = typeof globalThis & { [DEFAULT_KEY]?: Redactor };

/** The process-wide redactor: the host registers live secrets here, loggers read it. */
export function defaultRedactor(): Redactor {
  const g = globalThis as GlobalWithRedactor;
  return (g[DEFAULT_KEY] ??= new Redactor());
}

export function redact<T>(value: T): T {
  return defaultRedactor().redact(value);
}

export function registerSecret(...values: (string | null | undefined)[]): void {
  defaultRedactor().register(...values);
}
