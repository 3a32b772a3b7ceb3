// `backfill new` output is a finished package: in a temp workspace (never the repository),
// the fixed-host and the per-tenant-host variants typecheck and lint as generated, and
// `backfill validate` (which runs the generated tests: the guide's five cases) passes.
// Slow by nature (tsc, eslint, vitest per variant): one run of each.
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { inProcessCli } from "./in-process-cli.js";
import { linkConnectorDeps, REPO, tempWorkspace } from "./temp-workspace.js";

const BIN = join(REPO, "packages", "cli", "bin", "backfill.js");
const workspace = tempWorkspace();
afterAll(() => workspace.remove());
const { cli } = inProcessCli(mkdtempSync(join(tmpdir(), "backfill-scaffold-data-")));

function run(cwd: string, args: string[]): { status: number | null; output: string } {
  const env: NodeJS.ProcessEnv = { ...process.env };
  delete env.VITEST;
  delete env.NODE_OPTIONS;
  const result = spawnSync(process.execPath, args, { cwd, env, encoding: "utf8" });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

describe("backfill new", () => {
  it("refuses a bad key, a bad tenant setting and an existing package, writing nothing", () => {
    expect(run(workspace.root, [BIN, "new", "Acme!", "--no-install"])).toMatchObject({ status: 1, output: expect.stringContaining('error: "Acme!" is not a connector key') });
    expect(run(workspace.root, [BIN, "new", "bad", "--tenant-host", "Shop-Domain", "--no-install"]).output).toContain("fix: use snake_case: --tenant-host shop_domain");
    expect(existsSync(join(workspace.root, "connectors", "bad"))).toBe(false);
  });

  it("acme (fixed host) and storely (per-tenant host): typecheck, lint and validate with their tests, as generated", async () => {
    const variants = [
      { key: "acme", flags: [] as string[] },
      { key: "storely", flags: ["--tenant-host", "shop_domain"] },
    ];
    const dirs: string[] = [];
    for (const variant of variants) {
      const made = run(workspace.root, [BIN, "new", variant.key, ...variant.flags, "--no-install"]);
      expect(made.status, made.output).toBe(0);
      const dir = join(workspace.root, "connectors", variant.key);
      expect(made.output).toContain(`created ${dir}`);
      linkConnectorDeps(dir);
      dirs.push(dir);
    }
    expect(run(workspace.root, [BIN, "new", "acme", "--no-install"]).output).toContain("already exists");
    for (const dir of dirs) {
      const tsc = run(dir, [join(REPO, "node_modules", "typescript", "bin", "tsc"), "-p", "tsconfig.json", "--noEmit"]);
      expect(tsc.status, tsc.output).toBe(0);
    }
    // One ESLint run over both packages (typed linting is the slow part).
    const eslint = run(workspace.root, [join(REPO, "node_modules", "eslint", "bin", "eslint.js"), "connectors"]);
    expect(eslint.status, eslint.output).toBe(0);
    for (const dir of dirs) {
      const validate = await cli(["validate", dir]);
      expect(validate.code, validate.out + validate.err).toBe(0);
      expect(validate.out).toMatch(/route tests cover .*│ yes │ ran 9 tests, all pass/);
    }
  }, 180_000);
});
