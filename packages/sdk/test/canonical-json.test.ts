// Canonical JSON is what a store keeps of each record and what its hash (change detection)
// is taken over: the same payload in any key order is the same text, the text is JSON that
// reads back as the payload, and its form never changes between versions (a changed form
// would make every stored record look updated on the next sync).
import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { canonicalJson, canonicalPayload } from "../src/policy/index.js";

const sample = { z: 1, a: { c: [3, { y: null, x: "é\u2028" }], b: true }, m: [], e: {}, n: -0.5, u: undefined, "\u00e9": "k", Z: "upper" };

describe("canonicalJson", () => {
  it("writes the form every earlier version wrote (pinned text and hash)", () => {
    expect(canonicalJson(sample)).toBe('{"Z":"upper","a":{"b":true,"c":[3,{"x":"é\u2028","y":null}]},"e":{},"m":[],"n":-0.5,"z":1,"é":"k"}');
    expect(canonicalPayload(sample).hash).toBe("c4cd5ad8a220a44b33fc19661d598b9a73a7b29d05fe5a711ce0418417a3a8fd");
  });

  it("is the same text whatever the key order, and reads back as JSON.stringify's value", () => {
    const reordered = { Z: "upper", "\u00e9": "k", n: -0.5, e: {}, m: [], a: { b: true, c: [3, { x: "é\u2028", y: null }] }, z: 1 };
    expect(canonicalJson(reordered)).toBe(canonicalJson(sample));
    expect(JSON.parse(canonicalJson(sample))).toEqual(JSON.parse(JSON.stringify(sample)));
  });

  it("writes a hole in an array as null, as JSON.stringify does (never text JSON.parse refuses)", () => {
    const sparse: unknown[] = [1];
    sparse[2] = 3;
    expect(canonicalJson(sparse)).toBe("[1,null,3]");
    expect(canonicalJson({ list: [undefined, 2] })).toBe('{"list":[null,2]}');
  });

  it("leaves out undefined fields and writes primitives as JSON does", () => {
    expect(canonicalJson({ a: undefined })).toBe("{}");
    expect(canonicalJson({ a: undefined, b: 1 })).toBe('{"b":1}');
    expect(canonicalJson(undefined)).toBe("null");
    expect(canonicalJson('a"b')).toBe('"a\\"b"');
    expect(canonicalJson(null)).toBe("null");
  });

  it("hashes the canonical text with SHA-256", () => {
    const { json, hash } = canonicalPayload({ b: [1, 2], a: "x" });
    expect(json).toBe('{"a":"x","b":[1,2]}');
    expect(hash).toBe(createHash("sha256").update(json).digest("hex"));
  });
});
