// What every connector's tests share: fixtures read beside the test, canary secrets checked
// after each test in every runtime it made, and response bodies read as JSON. Framework-free:
// pass vitest's (or node:test's) afterEach.
import { readFileSync } from "node:fs";
import { RuntimeLeakCheck } from "./leak-check.js";
import type { ConnectorTestRuntime } from "./runtime.js";

export type FixtureReader = {
  /** A JSON fixture, `unknown` unless the test names its shape (`fixture<OrdersPage>("orders.json")`). */
  json: <T = unknown>(name: string) => T;
  text: (name: string) => string;
};

/** Fixtures of `dir` (e.g. `new URL("./fixtures/", import.meta.url)`). */
export function fixtureReader(dir: URL): FixtureReader {
  const text = (name: string) => readFileSync(new URL(name, dir), "utf8");
  return { json: (name) => JSON.parse(text(name)) as never, text };
}

/**
 * Canary secrets that no runtime of a test may show in a log line, response or error. Each
 * runtime made for a test is tracked; after the test every one is checked and restored.
 */
export class CanaryGuard {
  private check: RuntimeLeakCheck;

  constructor(private readonly secrets: readonly string[]) {
    this.check = new RuntimeLeakCheck(secrets);
  }

  track<R extends ConnectorTestRuntime>(runtime: R): R {
    return this.check.track(runtime);
  }

  /** Registers the check with `afterEach`; `secrets` replaces the guard's canaries for this file. */
  afterEach(afterEach: (fn: () => void) => void, secrets: readonly string[] = this.secrets): void {
    this.check = new RuntimeLeakCheck(secrets);
    afterEach(() => this.check.finish());
  }
}

/**
 * A route response's body as JSON (the response stays readable): `unknown` unless the test names
 * the shape it expects (`responseJson<ErrorBody>(response)`). Not validated: a
 * test's assertions are the check.
 */
export async function responseJson<T = unknown>(response: Response): Promise<T> {
  return (await response.clone().json()) as T;
}
