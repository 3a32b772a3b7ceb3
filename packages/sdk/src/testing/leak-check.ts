// A test's runtimes, checked together when it ends: each is restored, and none may have
// shown any of the canary secrets in a log line, response or error. Framework-free: call
// `finish()` from vitest's or node:test's afterEach.
import type { ConnectorTestRuntime } from "./runtime.js";

export class RuntimeLeakCheck {
  private readonly runtimes: ConnectorTestRuntime[] = [];

  constructor(private readonly secrets: readonly string[]) {}

  /** Registers a runtime made for the current test; returns it. */
  track<R extends ConnectorTestRuntime>(runtime: R): R {
    this.runtimes.push(runtime);
    return runtime;
  }

  /** Restores every tracked runtime; throws naming each canary (by position) that leaked. */
  finish(): void {
    const leaks: string[] = [];
    for (const runtime of this.runtimes.splice(0)) {
      try {
        this.secrets.forEach((secret, i) => {
          if (runtime.leaked(secret)) leaks.push(`canary #${i + 1} (${secret.slice(0, 4)}…)`);
        });
      } finally {
        runtime.restore();
      }
    }
    if (leaks.length) throw new Error(`secrets leaked into logs or responses: ${[...new Set(leaks)].join(", ")}`);
  }
}
