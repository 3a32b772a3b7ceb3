import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { releaseChecklist, validateConnectorDir, type ConnectorManifest } from "../src/index.js";

const guideDir = join(import.meta.dirname, "guide-connector");

describe("validateConnectorDir", () => {
  it("accepts the guide's connector and runs the release checklist", async () => {
    const report = await validateConnectorDir(guideDir);
    expect(report.problems).toEqual([]);
    expect(report.manifest?.key).toBe("shopify");
    expect(report.checks.find((c) => c.name.startsWith("postConnect"))?.ok).toBe(true);
    expect(report.checks.find((c) => c.name.startsWith("dynamic URL hosts"))).toEqual({
      name: "dynamic URL hosts have hostValidation",
      ok: true,
      detail: "{settings.shop_domain}",
    });
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

  it("lists anonymous routes and flags one the manifest's routes does not declare", async () => {
    const dir = mkdtempSync(join(import.meta.dirname, ".tmp-validate-"));
    try {
      cpSync(guideDir, dir, { recursive: true });
      const route = (auth: string) => `import { api } from "@backfill-io/sdk";\nexport const config = { auth: "${auth}" };\nexport const POST = api(() => api.json({}));\n`;
      writeFileSync(join(dir, "src/api/hook.ts"), route("webhook"));
      writeFileSync(join(dir, "src/api/open.ts"), route("public"));
      const config = join(dir, "backfill.config.ts");
      writeFileSync(config, readFileSync(config, "utf8").replace(/\n\}\);\s*$/, `\n  routes: { webhooks: ["/hook"] },\n});\n`));
      const report = await validateConnectorDir(dir);
      expect(report.anonymousRoutes).toEqual([
        { route: "/hook", auth: "webhook", declared: true },
        { route: "/open", auth: "public", declared: false },
      ]);
      expect(report.problems).toEqual([expect.objectContaining({ path: "routes.public", rule: "route_auth_declared" })]);
      expect(report.problems[0]?.message).toContain("/open");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("reports a missing manifest", async () => {
    const report = await validateConnectorDir(tmpdir());
    expect(report.problems[0]?.rule).toBe("manifest_exists");
  });
});

describe("releaseChecklist", () => {
  it("names a host placeholder without hostValidation", () => {
    const manifest = {
      version: "0.1.0",
      streams: [],
      connection: {
        settingsSchema: { properties: { region: {} }, required: [] },
        oauth: {
          authorizationUrlTemplate: "https://{settings.region}.example.com/a",
          tokenUrlTemplate: "https://x.example.com/t",
          requiredSettings: ["region"],
          hostValidation: {},
          client: { credentialKey: "k" },
        },
      },
    } as unknown as ConnectorManifest;
    expect(releaseChecklist(manifest, tmpdir()).find((c) => c.name.startsWith("dynamic"))).toMatchObject({ ok: false, detail: "unguarded: region" });
  });
});
