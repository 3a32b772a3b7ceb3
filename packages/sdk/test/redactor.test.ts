// The redactor's secret matching against an independent reference (one alternation regex
// over every form, longest first — what it used before the prefix index), and the
// lifetime of registered secrets.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { isSensitiveKey, Redactor, REDACTED } from "../src/index.js";

/** The reference: every form of every secret in one regex, longest first. */
function reference(secrets: string[], text: string): string {
  const forms = new Set<string>();
  for (const s of secrets) {
    if (s.length < 6) continue;
    for (const f of [s, JSON.stringify(s).slice(1, -1), encodeURIComponent(s), new URLSearchParams({ s }).toString().slice(2)]) {
      forms.add(f);
      forms.add(f.replace(/%[0-9A-F]{2}/g, (m) => m.toLowerCase()));
    }
  }
  const list = [...forms].filter((f) => f.length >= 6).sort((a, b) => b.length - a.length);
  if (!list.length) return text;
  return text.replace(new RegExp(list.map((f) => f.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")).join("|"), "g"), REDACTED);
}

/** Only the by-value matching: texts without keys, token shapes or `=`. */
const plain = fc.stringMatching(/^[a-z0-9 ./+%-]{0,60}$/);
const secret = fc.stringMatching(/^[a-z0-9./+%-]{6,20}$/);

describe("Redactor: secret values", () => {
  it("replaces exactly what the reference regex replaces", () => {
    fc.assert(
      fc.property(fc.array(secret, { maxLength: 8 }), fc.array(plain, { maxLength: 6 }), (secrets, parts) => {
        const r = new Redactor();
        r.register(...secrets);
        // The text mixes plain words with the secrets, some adjacent or overlapping.
        const text = parts.map((p, i) => `${p}${secrets[i % Math.max(secrets.length, 1)] ?? ""}`).join(" ");
        expect(r.redactString(text)).toBe(reference(secrets, text));
      }),
      { numRuns: 300 },
    );
  });

  it("a secret that contains another is removed whole; encoded forms are caught", () => {
    const r = new Redactor();
    r.register("abcdef", "abcdefghij", "s3cr3t/value+x");
    expect(r.redactString("x abcdefghij y abcdef z")).toBe(`x ${REDACTED} y ${REDACTED} z`);
    expect(r.redactString(`q=${encodeURIComponent("s3cr3t/value+x")}`)).not.toContain("s3cr3t");
  });

  it("an unregistered secret is no longer matched by value; a shared form stays while another secret has it", () => {
    const r = new Redactor();
    r.register("rotated-token-1", "live-token-2");
    r.unregister("rotated-token-1");
    expect(r.size).toBe(1);
    expect(r.redactString("old rotated-token-1 new live-token-2")).toBe(`old rotated-token-1 new ${REDACTED}`);
    r.unregister("never-registered");
    expect(r.size).toBe(1);
  });

  it("holds 100,000 live secrets and still redacts each one (speed is measured in the bench)", () => {
    const r = new Redactor();
    const secrets = Array.from({ length: 100_000 }, (_, i) => `tok_${i.toString(36).padStart(8, "0")}_x`);
    r.register(...secrets);
    const line = `start ${secrets[0]} middle ${secrets[54_321]} end ${secrets[99_999]}`;
    expect(r.redactString(line)).toBe(`start ${REDACTED} middle ${REDACTED} end ${REDACTED}`);
    r.register("one-more-secret");
    expect(r.redactString("one-more-secret")).toBe(REDACTED);
  });
});

describe("Redactor: key=value pairs", () => {
  // The pattern the linear scan replaced: whatever it would still redact in our output was missed.
  const REFERENCE_EQUALS_PAIR = /(?<![A-Za-z0-9_.-])([A-Za-z0-9_.-]{1,64})=([^&\s"'<>]+)/g;
  const sensitiveParam = (key: string) => isSensitiveKey(key) || key.toLowerCase() === "code";
  const key = fc.constantFrom("code", "token", "access_token", "client_secret", "page", "a", "x.y", "q-1", "password", "state");
  const value = fc.stringMatching(/^[A-Za-z0-9=%._-]{0,12}$/);
  const glue = fc.constantFrom("&", " ", "?", "=", "", "\n");

  it("leaves nothing the reference pattern would redact, and changes nothing in texts without a sensitive key", () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(key, value, glue), { maxLength: 8 }), (pairs) => {
        const text = pairs.map(([k, v, g]) => `${k}=${v}${g}`).join("");
        const out = new Redactor().redactString(text);
        expect(out.replace(REFERENCE_EQUALS_PAIR, (m, k: string) => (sensitiveParam(k) ? `${k}=${REDACTED}` : m))).toBe(out);
        if (!pairs.some(([k]) => sensitiveParam(k))) expect(out).toBe(text);
      }),
      { numRuns: 400 },
    );
  });
});
