import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { Redactor } from "@backfill-io/sdk";
import { createLogger } from "../src/index.js";

function capture() {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _enc, cb) {
      lines.push(chunk.toString());
      cb();
    },
  });
  return { lines, destination };
}

describe("createLogger", () => {
  it("redacts registered secrets, patterns and sensitive keys in every line", () => {
    const redactor = new Redactor();
    redactor.register("canary_access_token_42");
    const { lines, destination } = capture();
    const logger = createLogger({ redactor, destination });
    logger.info({ headers: { authorization: "Bearer abcdef123" }, token: "x" }, "calling with canary_access_token_42");
    logger.error({ err: new Error("failed: canary_access_token_42") }, "boom");
    logger.warn("url https://s.example.com/cb?code=abc123xyz");
    const text = lines.join("");
    expect(text).not.toContain("canary_access_token_42");
    expect(text).not.toContain("abcdef123");
    expect(text).not.toContain("abc123xyz");
    expect(text).toContain("[REDACTED]");
    expect(lines).toHaveLength(3);
  });

  it("redacts child-logger bindings", () => {
    const redactor = new Redactor();
    redactor.register("canary_bound_token_77");
    const { lines, destination } = capture();
    const child = createLogger({ redactor, destination }).child({ connection: "c1", authorization: "Bearer abcdef123", note: "canary_bound_token_77" });
    child.info("hello");
    child.child({ inner: "canary_bound_token_77" }).info("grandchild");
    expect(lines).toHaveLength(2);
    const text = lines.join("");
    expect(text).not.toContain("canary_bound_token_77");
    expect(text).not.toContain("abcdef123");
    expect(JSON.parse(lines[0]!)).toMatchObject({ connection: "c1", msg: "hello" });
    expect(JSON.parse(lines[1]!)).toMatchObject({ connection: "c1", inner: "[REDACTED]", msg: "grandchild" });
  });
});
