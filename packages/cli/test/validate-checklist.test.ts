// backfill validate's release checklist against what it used to accept: a missing
// postConnect route file, route tests without the guide's five cases, a route that logs
// the token, scopes: [], and auth.oauth with only wildcard hosts. Each starts from a
// connector `backfill new` generated into a temp workspace, then breaks one thing.
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { afterAll, describe, expect, it } from "vitest";
import { inProcessCli } from "./in-process-cli.js";
import { generatedConnector, tempWorkspace } from "./temp-workspace.js";

const workspace = tempWorkspace();
afterAll(() => workspace.remove());
const { cli } = inProcessCli(mkdtempSync(join(tmpdir(), "backfill-validate-data-")));

type Check = { name: string; ok: boolean; detail?: string };
async function checklist(dir: string, ...flags: string[]): Promise<{ code: number; checks: Check[]; out: string }> {
  const run = await cli(["validate", dir, "--json", ...flags]);
  return { code: run.code, checks: (JSON.parse(run.out) as { checks: Check[] }).checks, out: run.out };
}
const row = (checks: Check[], prefix: string) => checks.find((c) => c.name.startsWith(prefix))!;
const edit = (file: string, from: string | RegExp, to: string) => {
  const text = readFileSync(file, "utf8");
  const next = text.replace(from, to);
  expect(next, `${file} must contain ${String(from)}`).not.toBe(text);
  writeFileSync(file, next);
};

describe("validate: the release checklist", () => {
  it("a missing postConnect route file is a NO with the reason (it used to read yes)", async () => {
    const dir = generatedConnector(workspace.root, "nopost");
    rmSync(join(dir, "src/api/setup/test_connection.ts"));
    const { code, checks } = await checklist(dir, "--no-run-tests");
    expect(code).toBe(1);
    expect(checks.some((c) => c.name.startsWith("postConnect") && c.ok)).toBe(false);
    expect(row(checks, "postConnect route exists")).toMatchObject({ ok: false, detail: expect.stringContaining("no route file for /setup/test_connection") });
  });

  it("route tests that miss one of the five cases are a NO naming it", async () => {
    const dir = generatedConnector(workspace.root, "fewtests");
    edit(join(dir, "test/setup.test.ts"), 'it("refresh failure (expiring token', 'it("token renewal (expiring token');
    const { code, checks } = await checklist(dir, "--no-run-tests");
    expect(code).toBe(1);
    expect(row(checks, "route tests cover")).toMatchObject({ ok: false, detail: expect.stringContaining("no test named for: refresh failure") });
  });

  it("scopes: [] is a NO", async () => {
    const dir = generatedConnector(workspace.root, "noscopes");
    edit(join(dir, "backfill.config.ts"), 'scopes: ["customers.read", "account.read"]', "scopes: []");
    const { checks } = await checklist(dir, "--no-run-tests");
    expect(row(checks, "OAuth scopes declared")).toMatchObject({ ok: false, detail: expect.stringContaining("scopes is empty") });
  });

  it('auth.oauth with only a wildcard host (http: ["https://*.xero.com/*"]) is a NO: the token never attaches there', async () => {
    const dir = generatedConnector(workspace.root, "wildcard");
    edit(join(dir, "backfill.config.ts"), 'http: ["https://wildcard.example.com/api/*"]', 'http: ["https://*.xero.com/*"]');
    const { checks } = await checklist(dir, "--no-run-tests");
    expect(row(checks, "auth.oauth used only")).toMatchObject({ ok: false, detail: expect.stringContaining("never attaches to wildcard hosts (https://*.xero.com/*)") });
  });

  it("a route that logs the token is a NO when the tests run, and the report never shows the token", async () => {
    const dir = generatedConnector(workspace.root, "leaky");
    const route = join(dir, "src/api/setup/test_connection.ts");
    edit(route, 'import { api } from "@backfill-io/sdk";', 'import { api, log, OAuth } from "@backfill-io/sdk";');
    edit(route, "  let me: Me;", '  log.info("calling the account endpoint", { authorization: `Bearer ${OAuth.accessToken()}` });\n  let me: Me;');
    const { code, checks, out } = await checklist(dir);
    expect(code).toBe(1);
    expect(row(checks, "no token-looking strings")).toMatchObject({ ok: false, detail: expect.stringMatching(/route log line\(s\) carried a secret or token/) });
    expect(out).not.toContain("canary-leaky-access-token");
  });

  it("the generated connector passes every row, running its tests", async () => {
    const dir = generatedConnector(workspace.root, "clean");
    const run = await cli(["validate", dir]);
    expect(run.code, run.out + run.err).toBe(0);
    expect(run.out).toContain("valid");
    expect(run.out).not.toContain("NO");
  });
});
