import { cpSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { validateConnectorDir } from "../src/index.js";

const guideDir = join(import.meta.dirname, "guide-connector");

describe("validateConnectorDir", () => {
  it("accepts the guide's connector and runs the release checklist", async () => {
    const report = await validateConnectorDir(guideDir);
    expect(report.problems).toEqual([]);
    expect(report.manifest?.key).toBe("shopify");
    expect(report.checks.find((c) => c.name.startsWith("postConnect"))?.ok).toBe(true);
  });

  it("names a route file that does not exist", async () => {
    // Inside the package, so the copy still resolves @backfill-io/sdk.
    const dir = mkdtempSync(join(import.meta.dirname, ".tmp-validate-"));
    try {
      cpSync(guideDir, dir, { recursive: true });
      rmSync(join(dir, "src/api/setup/test_connection.ts"));
      const report = await validateConnectorDir(dir);
      expect(report.problems.map((p) => p.path)).toEqual(["connection.testConnection.route", "connection.oauth.postConnect.route"]);
      expect(report.problems[0]?.rule).toBe("route_exists");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("reports a missing manifest", async () => {
    const report = await validateConnectorDir(tmpdir());
    expect(report.problems[0]?.rule).toBe("manifest_exists");
  });
});
