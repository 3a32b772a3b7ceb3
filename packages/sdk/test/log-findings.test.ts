// The test runtime's log findings (what `backfill validate` reads): a route log line that
// carried the token is reported, redacted; a clean line is not.
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { api, defineConnector, log, OAuth } from "../src/index.js";
import { connectorTestRuntime, TEST_LOG_FINDINGS_ENV, type ConnectorTestRuntime } from "../src/testing/index.js";

const manifest = defineConnector({
  key: "findings",
  name: "Findings",
  version: "0.1.0",
  connection: {
    oauth: {
      type: "authorization_code",
      authorizationUrlTemplate: "https://api.example.com/oauth/authorize",
      tokenUrlTemplate: "https://api.example.com/oauth/token",
      scopes: ["a"],
      client: { credentialKey: "findings_app" },
    },
  },
});
const TOKEN = "canary-findings-token-5d1e8f2a";
let runtime: ConnectorTestRuntime | undefined;
afterEach(() => {
  runtime?.restore();
  delete process.env[TEST_LOG_FINDINGS_ENV];
});

const route = api(async () => {
  log.info("calling the provider", { stream: "customers" });
  log.warn("retrying", { header: `Bearer ${OAuth.accessToken()}` });
  return api.json({ ok: true });
});

describe("test runtime log findings", () => {
  it("reports the line that carried the token, redacted, and not the clean one", async () => {
    const file = join(mkdtempSync(join(tmpdir(), "findings-")), "findings.jsonl");
    process.env[TEST_LOG_FINDINGS_ENV] = file;
    runtime = connectorTestRuntime({ manifest, oauth: { accessToken: TOKEN, scopes: ["a"], requiredScopes: ["a"] } });
    expect((await runtime.call(route)).status).toBe(200);
    const text = readFileSync(file, "utf8");
    expect(text).not.toContain(TOKEN);
    const findings = text
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as { level: string; redactedLine: string });
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({ level: "warn", redactedLine: expect.stringContaining("retrying") });
  });
});
