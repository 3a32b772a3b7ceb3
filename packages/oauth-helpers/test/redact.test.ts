import { describe, expect, it } from "vitest";
import fc from "fast-check";
// The SDK's redactor (oauth-helpers re-exports redact and registerSecret, the log redaction connectors use).
import { Redactor, REDACTED } from "@backfill-io/sdk";
import { redact, registerSecret } from "../src/index.js";

const CANARY = "canary-SECRET-7f3a9c";

describe("redact", () => {
  it("the entry's redact scrubs a secret registered with its registerSecret (the default redactor)", () => {
    registerSecret(`${CANARY}-entry`);
    expect(redact(`token ${CANARY}-entry`)).toBe(`token ${REDACTED}`);
  });

  it("scrubs a registered secret in strings, objects, arrays, URLs and errors", () => {
    const r = new Redactor();
    r.register(CANARY);
    const cause = new Error(`inner ${CANARY}`);
    const error = new Error(`failed with ${CANARY}`, { cause });
    const value = {
      note: `token is ${CANARY}!`,
      list: [CANARY, { deep: [`x${CANARY}y`] }],
      url: new URL(`https://a.example.com/cb?x=${encodeURIComponent(CANARY)}`),
      error,
    };
    const out = r.redact(value);
    const text = JSON.stringify(out, (_k, v: unknown) => (v instanceof Error ? { message: v.message, stack: v.stack, cause: v.cause } : v instanceof URL ? v.href : v));
    expect(text).not.toContain(CANARY);
    expect(out.error).toBeInstanceOf(Error);
    expect(out.error.message).toBe(`failed with ${REDACTED}`);
    expect((out.error.cause as Error).message).toBe(`inner ${REDACTED}`);
    expect(out.error.stack).not.toContain(CANARY);
    expect(error.message).toContain(CANARY); // the original is untouched
  });

  it("scrubs token patterns without registration", () => {
    const r = new Redactor();
    const text = [
      "Authorization: Bearer abc.def-123",
      "https://x.example.com/cb?code=authcode123&state=s&access_token=tok123&refresh_token=rt123",
      '{"access_token":"tok\\"x","refresh_token":"rt"}',
    ].join("\n");
    const out = r.redactString(text);
    // Provider token shapes (shpat_…, EAAA…) are their plug-ins': connectors/*/test/provider.test.ts.
    for (const leaked of ["abc.def-123", "authcode123", "tok123", "rt123", 'tok\\"x']) {
      expect(out).not.toContain(leaked);
    }
    expect(out).toContain("state=s");
  });

  it("scrubs sensitive keys at any depth", () => {
    const r = new Redactor();
    const out = r.redact({
      headers: { Authorization: "x", cookie: "c", "X-Shopify-Access-Token": "t" },
      nested: [{ client_secret: "s", code_verifier: "v", refreshToken: "r", password: "p", apiKey: "k" }],
      token_type: "bearer",
      code: "reauth_required",
    });
    expect(out.headers).toEqual({ Authorization: REDACTED, cookie: REDACTED, "X-Shopify-Access-Token": REDACTED });
    expect(out.nested[0]).toEqual({ client_secret: REDACTED, code_verifier: REDACTED, refreshToken: REDACTED, password: REDACTED, apiKey: REDACTED });
    expect(out.token_type).toBe("bearer");
    expect(out.code).toBe("reauth_required");
  });

  it("scrubs sensitive keys written inside strings: JSON, inspected objects, queries, forms, header lines", () => {
    const r = new Redactor();
    const cases: [string, string][] = [
      ['{"authorization":"opaque-1","note":"kept"}', '{"authorization":"[REDACTED]","note":"kept"}'],
      ["{ 'x-shopify-access-token': 'opaque-2', apiKey: 'opaque-3', name: 'kept' }", "{ 'x-shopify-access-token': '[REDACTED]', apiKey: '[REDACTED]', name: 'kept' }"],
      ['{"body":"{\\"password\\":\\"opaque-4\\"}"}', '{"body":"{\\"password\\":\\"[REDACTED]\\"}"}'],
      ["https://x.example.com/cb?api_key=opaque-5&client_secret=opaque-6&page=2", "https://x.example.com/cb?api_key=[REDACTED]&client_secret=[REDACTED]&page=2"],
      ["grant_type=authorization_code&code=opaque-7&code_verifier=opaque-8&error_code=E1", "grant_type=authorization_code&code=[REDACTED]&code_verifier=[REDACTED]&error_code=E1"],
      ["POST /token\nX-Shopify-Access-Token: opaque-9\nCookie: sid=opaque-10\nAccept: */*", "POST /token\nX-Shopify-Access-Token: [REDACTED]\nCookie: [REDACTED]\nAccept: */*"],
    ];
    for (const [input, expected] of cases) expect(r.redactString(input)).toBe(expected);
  });

  it("scrubs a registered secret percent-encoded in either case, form-encoded and JSON-escaped", () => {
    const secret = 'sec ret/+=~"x\\y';
    const r = new Redactor();
    r.register(secret);
    const forms = [encodeURIComponent(secret), encodeURIComponent(secret).toLowerCase(), new URLSearchParams({ q: secret }).toString(), JSON.stringify({ note: secret })];
    for (const form of forms) expect(r.redactString(`before ${form} after`)).not.toMatch(/sec(%20|\+| )ret/i);
  });

  it("never throws: a secret in a URL host, a lone surrogate secret, Sets and Maps", () => {
    const r = new Redactor();
    r.register("tenant-secret-host", "\ud800lonely");
    const url = new URL("https://tenant-secret-host.example.com/x");
    expect(r.redact(url)).toBe(`https://${REDACTED}.example.com/x`);
    expect(r.redactString("a \ud800lonely b")).toBe(`a ${REDACTED} b`);
    expect(r.redact(new Set(["tenant-secret-host"]))).toEqual(new Set([REDACTED]));
    expect(
      r.redact(
        new Map([
          ["authorization", "x"],
          ["other", "tenant-secret-host"],
        ]),
      ),
    ).toEqual(
      new Map([
        ["authorization", REDACTED],
        ["other", REDACTED],
      ]),
    );
  });

  it("handles cycles", () => {
    const r = new Redactor();
    const a: Record<string, unknown> = { name: "a" };
    a.self = a;
    const out = r.redact(a);
    expect(out.self).toBe(out);
  });

  it("property: a registered secret never survives, in any nesting or string position", () => {
    class Leaf {
      constructor(
        readonly before: string,
        readonly after: string,
      ) {}
    }
    type Tree = Leaf | Tree[] | { [key: string]: Tree };
    // The secret must not be part of the marker itself ("[REDACTED]" would re-form "EDACTE").
    const secret = fc
      .oneof(fc.string({ minLength: 6, maxLength: 40 }), fc.string({ minLength: 6, maxLength: 20, unit: "binary" }))
      .filter((s) => !/[[\]]/.test(s) && !REDACTED.includes(s));
    // How a secret is written into text: as is, in a URL, in a form body, in JSON.
    const encodings: ((s: string) => string)[] = [(s) => s, (s) => encodeURIComponentSafe(s), (s) => new URLSearchParams({ q: s }).toString(), (s) => JSON.stringify({ note: s })];
    const tree = fc.letrec<{ node: Tree }>((tie) => ({
      node: fc.oneof(
        { depthSize: "small" },
        fc.tuple(fc.string(), fc.string()).map(([a, b]) => new Leaf(a, b)),
        fc.array(tie("node"), { maxLength: 3 }),
        fc.dictionary(fc.string({ maxLength: 5 }), tie("node"), { maxKeys: 3 }),
      ),
    })).node;
    const embed = (node: Tree, s: string): unknown =>
      node instanceof Leaf
        ? `${node.before}${s}${node.after}`
        : Array.isArray(node)
          ? node.map((n) => embed(n, s))
          : Object.fromEntries(Object.entries(node).map(([k, v]) => [k, embed(v, s)]));
    fc.assert(
      fc.property(secret, tree, fc.string(), fc.nat(encodings.length - 1), (s, t, around, e) => {
        const r = new Redactor();
        r.register(s);
        const written = encodings[e]!(s);
        const url = new URL("https://x.example.com/");
        url.searchParams.set("q", s);
        const out = r.redact({
          tree: embed(t, written),
          error: new Error(`${around}${written}${around}`, { cause: [new Error(written)] }),
          url,
          set: new Set([written]),
        });
        const collected: string[] = [];
        JSON.stringify(out, (_k, v: unknown) => {
          if (typeof v === "string") collected.push(v);
          if (v instanceof Error) collected.push(v.message, v.stack ?? "");
          if (v instanceof URL) collected.push(v.href);
          if (v instanceof Set) collected.push(...[...v].map(String));
          return v;
        });
        return collected.every((text) => !text.includes(s) && !text.includes(encodeURIComponentSafe(s)) && !text.includes(written));
      }),
      { numRuns: 400 },
    );
  });
});

/** encodeURIComponent, or the input when it holds a lone surrogate (no URL can carry it). */
function encodeURIComponentSafe(s: string): string {
  try {
    return encodeURIComponent(s);
  } catch {
    return s;
  }
}
