// The shared connector test helpers: fixtures beside the test, the canary guard, JSON bodies.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";
import { api, defineConnector, log } from "../src/index.js";
import { CanaryGuard, connectorTestRuntime, fixtureReader, responseJson } from "../src/testing/index.js";

const manifest = defineConnector({ key: "example", name: "Example", version: "0.1.0", permissions: { http: ["https://api.example.com/*"] }, connection: {} });
const CANARY = "tok_CANARY_guard_0a9f";

/** An afterEach that keeps the hook, to run it when the "test" ends. */
function hooks() {
  const registered: (() => void)[] = [];
  return { afterEach: (fn: () => void) => registered.push(fn), end: () => registered.forEach((fn) => fn()) };
}

describe("CanaryGuard", () => {
  it("fails the test whose runtime logged a canary, naming it by position only", async () => {
    const guard = new CanaryGuard([CANARY]);
    const { afterEach, end } = hooks();
    guard.afterEach(afterEach);
    const runtime = guard.track(connectorTestRuntime({ manifest }));
    await runtime.call(
      api(async () => {
        log.info(`debug ${CANARY}`); // the redactor does not know this value: it leaks
        return api.json({ ok: true });
      }),
    );
    let thrown: Error | undefined;
    try {
      end();
    } catch (error) {
      thrown = error as Error;
    }
    expect(thrown?.message).toMatch(/canary #1/);
    expect(thrown?.message).not.toContain(CANARY);
  });

  it("passes a test whose runtimes showed no canary, and restores them", async () => {
    const guard = new CanaryGuard([CANARY]);
    const { afterEach, end } = hooks();
    guard.afterEach(afterEach);
    const runtime = guard.track(connectorTestRuntime({ manifest }));
    expect(await responseJson(await runtime.call(api(async () => api.json({ ok: true }))))).toEqual({ ok: true });
    expect(() => end()).not.toThrow();
  });
});

describe("fixtureReader", () => {
  it("reads JSON and text fixtures of a directory", () => {
    const dir = mkdtempSync(join(tmpdir(), "fixtures-"));
    writeFileSync(join(dir, "page.json"), '{"items":[1,2]}');
    const fixtures = fixtureReader(pathToFileURL(`${dir}/`));
    expect(fixtures.json<{ items: number[] }>("page.json").items).toEqual([1, 2]);
    expect(fixtures.text("page.json")).toBe('{"items":[1,2]}');
  });
});
