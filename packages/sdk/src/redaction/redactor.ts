// Redaction of secrets from anything that may reach a log, an error or a response:
// (a) every registered secret value, (b) token-shaped patterns, (c) sensitive keys at
// any depth. Strings, objects, arrays, URLs and Errors (message, stack, cause).

import type { TokenPattern } from "../providers/types.js";

export const REDACTED = "[REDACTED]";

const SENSITIVE_KEY = /(^|[-_.])?(authorization|cookie|set-cookie|code[-_]?verifier|client[-_]?secret|api[-_]?key|private[-_]?key|credential)s?$|token|secret|passw(or)?d/i;
/** Keys that look sensitive but hold no secret. */
const SAFE_KEYS = new Set(["token_type", "tokenType", "tokenUrlTemplate", "accessTokenPath", "refreshTokenPath", "secrets", "x-secret"]);

/**
 * Token shapes redacted wherever they appear, registered or not: HTTP credentials here,
 * each provider's own token shapes from its plug-in (Redactor.addTokenPatterns).
 */
const CREDENTIAL_PATTERNS: readonly TokenPattern[] = [{ pattern: /\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]{4,}/gi, replacement: (_m, scheme: string) => `${scheme} ${REDACTED}` }];

/**
 * A key and a quoted value inside a string: JSON (`"password": "x"`), JSON inside a JSON
 * string (`\"password\":\"x\"`), util.inspect (`authorization: 'x'`) or `key="x"`.
 * The value closes at the same quote that opened it.
 */
const QUOTED_PAIR = /((?:\\?["'])?)([A-Za-z0-9_$.-]{1,64})\1(\s*[:=]\s*)(\\?["'])((?:(?!\4)(?:[^\\]|\\.))*)\4/g;
/** A character of a `key=value` key, and one that ends its unquoted value. */
const isParamKeyChar = (c: number) => (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || c === 46 || c === 45;
const VALUE_END = /[&\s"'<>]/g;

/**
 * `key=value` in a URL query, a form body or a log line (value unquoted; key 1–64 characters of
 * [A-Za-z0-9_.-] not preceded by another). Found from each `=` backwards: linear in the text,
 * where the equivalent lookbehind regex tried 64 key lengths at every position.
 */
function redactEqualsPairs(text: string): string {
  let out = "";
  let copied = 0;
  for (let eq = text.indexOf("="); eq !== -1; eq = text.indexOf("=", eq + 1)) {
    let start = eq;
    while (start > 0 && isParamKeyChar(text.charCodeAt(start - 1)) && eq - start < 65) start--;
    const keyLength = eq - start;
    if (keyLength === 0 || keyLength > 64 || start < copied) continue;
    VALUE_END.lastIndex = eq + 1;
    const end = VALUE_END.exec(text)?.index ?? text.length;
    if (end === eq + 1) continue;
    if (!isSensitiveParam(text.slice(start, eq))) continue;
    out += `${text.slice(copied, eq + 1)}${REDACTED}`;
    copied = end;
    eq = end - 1;
  }
  return copied ? out + text.slice(copied) : text;
}
/** A header-style line: `X-Provider-Access-Token: value` (to the end of the line). */
const HEADER_LINE = /^([ \t]*)([A-Za-z0-9_-]{1,64})([ \t]*:[ \t]*)(?!["'\s])([^\r\n]+)/gm;

/** `code` holds an authorization code as a URL or form parameter (never as an object key: error codes). */
function isSensitiveParam(key: string): boolean {
  return isSensitiveKey(key) || key.toLowerCase() === "code";
}

/**
 * The forms a secret takes in text: as is, percent-encoded (RFC 3986, either hex case),
 * form-encoded (`+` for space) and JSON-escaped.
 */
function secretForms(secret: string): string[] {
  const forms = new Set([secret, JSON.stringify(secret).slice(1, -1)]);
  try {
    for (const encoded of [encodeURIComponent(secret), new URLSearchParams({ s: secret }).toString().slice(2)]) {
      forms.add(encoded);
      forms.add(encoded.replace(/%[0-9A-F]{2}/g, (m) => m.toLowerCase()));
    }
  } catch {
    // A lone surrogate cannot be percent-encoded; no URL can carry it either.
  }
  return [...forms];
}

export function isSensitiveKey(key: string): boolean {
  return !SAFE_KEYS.has(key) && SENSITIVE_KEY.test(key);
}

/** Registered secrets are at least this long; also the length of the index's keys. */
const MIN_SECRET_LENGTH = 6;

/**
 * A hash of the MIN_SECRET_LENGTH characters of `text` at `at`: base 33 modulo 2^30, so it stays a
 * small integer (V8 keeps it unboxed, and a Map lookup by it allocates nothing).
 */
function prefixHash(text: string, at: number): number {
  let h = 0;
  for (let k = 0; k < MIN_SECRET_LENGTH; k++) h = (Math.imul(h, 33) + text.charCodeAt(at + k)) & HASH_MASK;
  return h;
}
const HASH_MASK = 0x3fffffff;
const FILTER_SIZE = 1 << 16;
const FILTER_MASK = FILTER_SIZE - 1;
/** 33 ** (MIN_SECRET_LENGTH - 1) modulo 2^30: the weight of the character that leaves a rolling prefixHash. */
const LEADING_WEIGHT = Array.from({ length: MIN_SECRET_LENGTH - 1 }).reduce<number>((w) => Math.imul(w, 33) & HASH_MASK, 1);

/**
 * The live secrets, matched by a prefix index: each form of each secret is filed under a hash of
 * its first MIN_SECRET_LENGTH characters, and a scan rolls that hash along the text, one
 * multiply-add per position and no allocation, looking the position up only on a hit.
 * Registering or dropping one is O(its forms), and a scan is O(text length), whatever the
 * number of secrets (a long-running host holds one per live token; a single alternation
 * regex rebuilt on every registration took seconds at 40,000).
 */
class SecretIndex {
  /**
   * Prefix hash → the forms filed there and their distinct lengths, longest first. Tokens of
   * one provider share long prefixes (`shpat_…`), so a bucket is looked up by length in a set,
   * never scanned or re-sorted. (Two prefixes with one hash share a bucket: the set decides.)
   */
  private readonly byPrefix = new Map<number, { lengths: number[]; perLength: Map<number, number>; forms: Set<string> }>();
  /** Form → how many registered secrets produce it (two secrets may share a form). */
  private readonly forms = new Map<string, number>();
  /** How many buckets fall on each low 16 bits of the hash: a scan reads this before the Map. */
  private readonly filter = new Uint32Array(FILTER_SIZE);

  add(secret: string): void {
    for (const form of secretForms(secret)) {
      if (form.length < MIN_SECRET_LENGTH) continue;
      const count = this.forms.get(form) ?? 0;
      this.forms.set(form, count + 1);
      if (count) continue;
      const prefix = prefixHash(form, 0);
      let bucket = this.byPrefix.get(prefix);
      if (!bucket) {
        this.byPrefix.set(prefix, (bucket = { lengths: [], perLength: new Map(), forms: new Set() }));
        this.filter[prefix & FILTER_MASK]!++;
      }
      bucket.forms.add(form);
      const ofLength = bucket.perLength.get(form.length) ?? 0;
      bucket.perLength.set(form.length, ofLength + 1);
      if (!ofLength) bucket.lengths = [...bucket.lengths, form.length].sort((a, b) => b - a);
    }
  }

  delete(secret: string): void {
    for (const form of secretForms(secret)) {
      const count = this.forms.get(form);
      if (count === undefined) continue;
      if (count > 1) {
        this.forms.set(form, count - 1);
        continue;
      }
      this.forms.delete(form);
      const prefix = prefixHash(form, 0);
      const bucket = this.byPrefix.get(prefix);
      if (!bucket) continue;
      bucket.forms.delete(form);
      const ofLength = (bucket.perLength.get(form.length) ?? 1) - 1;
      if (ofLength) bucket.perLength.set(form.length, ofLength);
      else {
        bucket.perLength.delete(form.length);
        bucket.lengths = bucket.lengths.filter((l) => l !== form.length);
      }
      if (!bucket.forms.size) {
        this.byPrefix.delete(prefix);
        this.filter[prefix & FILTER_MASK]!--;
      }
    }
  }

  /** `text` with every occurrence of a form replaced, the longest at each position first. */
  replaceAll(text: string): string {
    if (!this.byPrefix.size || text.length < MIN_SECRET_LENGTH) return text;
    let out = "";
    let copied = 0;
    const last = text.length - MIN_SECRET_LENGTH;
    let h = prefixHash(text, 0);
    for (let i = 0; i <= last;) {
      const bucket = this.filter[h & FILTER_MASK] ? this.byPrefix.get(h) : undefined;
      const length = bucket?.lengths.find((l) => i + l <= text.length && bucket.forms.has(text.slice(i, i + l)));
      if (length !== undefined) {
        out += text.slice(copied, i) + REDACTED;
        i += length;
        copied = i;
        if (i <= last) h = prefixHash(text, i);
        continue;
      }
      if (i < last) h = (Math.imul((h - Math.imul(text.charCodeAt(i), LEADING_WEIGHT)) & HASH_MASK, 33) + text.charCodeAt(i + MIN_SECRET_LENGTH)) & HASH_MASK;
      i++;
    }
    return copied ? out + text.slice(copied) : text;
  }
}

export class Redactor {
  private readonly secrets = new Set<string>();
  private readonly index = new SecretIndex();
  private tokenPatterns: readonly TokenPattern[] = CREDENTIAL_PATTERNS;

  /** Adds provider token shapes (a provider plug-in's `tokenPatterns`); adding one again is a no-op. */
  addTokenPatterns(patterns: readonly TokenPattern[]): void {
    const fresh = patterns.filter((p) => !this.tokenPatterns.includes(p));
    if (fresh.length) this.tokenPatterns = [...this.tokenPatterns, ...fresh];
  }

  /**
   * Registers a live secret (token, client secret, code verifier, authorization code).
   * Values shorter than 6 characters are ignored: they would redact ordinary words.
   */
  register(...values: (string | null | undefined)[]): void {
    for (const value of values) {
      if (typeof value === "string" && value.length >= MIN_SECRET_LENGTH && !this.secrets.has(value)) {
        this.secrets.add(value);
        this.index.add(value);
      }
    }
  }

  /**
   * Drops secrets whose life ended (a rotated or revoked token, a disconnected connection),
   * so the set holds live secrets only. A dropped value is still caught by the token
   * patterns and sensitive keys, but no longer by value.
   */
  unregister(...values: (string | null | undefined)[]): void {
    for (const value of values) {
      if (typeof value === "string" && this.secrets.delete(value)) this.index.delete(value);
    }
  }

  get size(): number {
    return this.secrets.size;
  }

  redactString(text: string): string {
    let out = this.index.replaceAll(text);
    for (const { pattern, replacement } of this.tokenPatterns) out = out.replace(pattern, replacement as string);
    return redactKeyedValues(out);
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
      const href = this.redactString(url.href);
      // A secret in the host leaves "[REDACTED]" where a URL cannot hold it: keep the text.
      return URL.canParse(href) ? new URL(href) : href;
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
    if (value instanceof Set) {
      const out = new Set();
      seen.set(value, out);
      for (const item of value) out.add(this.walk(item, seen));
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

/**
 * Every key isSensitiveKey accepts contains one of these (case-insensitive): a text without any
 * holds no sensitive quoted pair or header line, and the costly pair patterns are skipped.
 */
const SENSITIVE_KEY_PART = /authori[sz]ation|cookie|token|verifier|secret|api[-_]?key|private[-_]?key|credential|passw/i;

/** Values of sensitive keys written inside text: quoted pairs, `key=value` and header lines. */
function redactKeyedValues(text: string): string {
  // `code` is sensitive only as a URL or form parameter, which needs an `=`.
  const mayHoldKey = SENSITIVE_KEY_PART.test(text);
  if (!mayHoldKey) return text.includes("=") ? redactEqualsPairs(text) : text;
  const withQuoted = text.replace(QUOTED_PAIR, (match, keyQuote: string, key: string, sep: string, valueQuote: string, value: string) => {
    if (isSensitiveKey(key)) return `${keyQuote}${key}${keyQuote}${sep}${valueQuote}${REDACTED}${valueQuote}`;
    // The value is consumed by this match: look inside it too (a JSON document in a string field).
    const inner = redactKeyedValues(value);
    return inner === value ? match : `${keyQuote}${key}${keyQuote}${sep}${valueQuote}${inner}${valueQuote}`;
  });
  return redactEqualsPairs(withQuoted).replace(HEADER_LINE, (match, indent: string, key: string, sep: string) =>
    isSensitiveKey(key) ? `${indent}${key}${sep}${REDACTED}` : match,
  );
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

/** Drops secrets whose life ended from the process-wide redactor (see Redactor.unregister). */
export function unregisterSecret(...values: (string | null | undefined)[]): void {
  defaultRedactor().unregister(...values);
}
