import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { Redactor, REDACTED } from "../src/index.js";

const CANARY = "canary-SECRET-7f3a9c";

describe("redact", () => {
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
      "shpat_1234567890abcdef shpca_abcdef123456 shppa_abcdef123456 shpua_abcdef123456",
      "EAAAl1234567890abcdefghij",
      "https://x.example.com/cb?code=authcode123&state=s&access_token=tok123&refresh_token=rt123",
      '{"access_token":"tok\\"x","refresh_token":"rt"}',
    ].join("\n");
    const out = r.redactString(text);
    for (const leaked of ["abc.def-123", "1234567890abcdef", "EAAAl1234567890", "authcode123", "tok123", "rt123", 'tok\\"x']) {
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

  it("handles cycles", () => {
    const r = new Redactor();
    const a: Record<string, unknown> = { name: "a" };
    a.self = a;
    const out = r.redact(a);
    expect(out.self).toBe(out);
  });

  it("property: a registered secret never survives, in any nesting or string position", () => {
    class Leaf {
      constructor(readonly before: string, readonly after: string) {}
    }
    type Tree = Leaf | Tree[] | { [key: string]: Tree };
    // Brackets are excluded: a secret like "ED]abc" could be re-formed from "[REDACTED]" itself.
    const secret = fc.string({ minLength: 6, maxLength: 40 }).filter((s) => !/[[\]]/.test(s));
    const tree = fc.letrec<{ node: Tree }>((tie) => ({
      node: fc.oneof(
        { depthSize: "small" },
        fc.tuple(fc.string(), fc.string()).map(([a, b]) => new Leaf(a, b)),
        fc.array(tie("node"), { maxLength: 3 }),
        fc.dictionary(fc.string({ maxLength: 5 }), tie("node"), { maxKeys: 3 }),
      ),
    })).node;
    const embed = (node: Tree, s: string): unknown =>
      node instanceof Leaf ? `${node.before}${s}${node.after}` : Array.isArray(node) ? node.map((n) => embed(n, s)) : Object.fromEntries(Object.entries(node).map(([k, v]) => [k, embed(v, s)]));
    fc.assert(
      fc.property(secret, tree, fc.string(), (s, t, around) => {
        const r = new Redactor();
        r.register(s);
        const out = r.redact({ tree: embed(t, s), error: new Error(`${around}${s}${around}`), url: `https://x.example.com/?q=${encodeURIComponent(s)}` });
        const collected: string[] = [];
        JSON.stringify(out, (_k, v: unknown) => {
          if (typeof v === "string") collected.push(v);
          if (v instanceof Error) collected.push(v.message, v.stack ?? "");
          return v;
        });
        return collected.every((text) => !text.includes(s) && !text.includes(encodeURIComponent(s)));
      }),
      { numRuns: 300 },
    );
  });
});
