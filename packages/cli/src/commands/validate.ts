// backfill validate [dir]: the manifest's problems and the guide's release checklist.
import { join } from "node:path";
import type { Command } from "commander";
import { validateConnectorDir } from "@backfill-io/sdk";
import type { CliContext } from "../context.js";
import { printJson, printTable } from "../output.js";
import { CliError } from "../errors.js";
import { VALIDATION_FAILED } from "../error-codes.js";
import { enableTypeScriptImports } from "../typescript-loader.js";
import { releaseChecks } from "../validate/release-checks.js";
import { runRouteTests } from "../validate/run-route-tests.js";

/** The SDK's row that only reads the manifest; releaseChecks' postConnect row replaces it. */
const MANIFEST_ONLY_POST_CONNECT = "postConnect verifies provider account identity";

export function registerValidate(program: Command, ctx: CliContext): void {
  program
    .command("validate")
    .description("validate a connector: manifest rules, route files and the OAuth release checklist")
    .argument("[dir]", "connector directory", ".")
    .option("--no-run-tests", "read the route tests' names instead of running them (the log check is then not made)")
    .option("--json", "print the report as JSON")
    .addHelpText(
      "after",
      `
The checklist runs the connector's tests (its own vitest) and reads their titles: the
postConnect route tests must cover the guide's five cases, each title starting with its
case: "connected", "missing token", "missing scope", "provider auth failure", "refresh failure".

Examples:
  $ backfill validate connectors/acme
  $ backfill validate . --no-run-tests --json`,
    )
    .action(async (dir: string, opts: { json?: boolean; runTests: boolean }) => {
      await enableTypeScriptImports();
      const report = await validateConnectorDir(dir);
      if (report.manifest?.connection.oauth) {
        const run = opts.runTests ? await runRouteTests(report.dir) : undefined;
        const routesDir = join(report.dir, "src", "api");
        report.checks = [...report.checks.filter((c) => c.name !== MANIFEST_ONLY_POST_CONNECT), ...releaseChecks(report.manifest, report.dir, routesDir, run)];
      }
      const failedChecks = report.manifest?.connection.oauth ? report.checks.filter((c) => !c.ok) : [];
      if (opts.json) printJson(ctx.io, report);
      else {
        ctx.io.stdout(`${report.manifest ? `${report.manifest.key} ${report.manifest.version}` : "connector"} in ${report.dir}\n`);
        if (report.problems.length)
          printTable(
            ctx.io,
            ["problem", "rule", "message"],
            report.problems.map((p) => [p.path || "(root)", p.rule, p.message]),
          );
        if (report.anonymousRoutes?.length)
          printTable(
            ctx.io,
            ["route without API key", "auth", "declared in manifest routes"],
            report.anonymousRoutes.map((r) => [r.route, r.auth, r.declared ? "yes" : "NO"]),
          );
        if (report.checks.length)
          printTable(
            ctx.io,
            ["release checklist", "ok", "detail / why not"],
            report.checks.map((c) => [c.name, c.ok ? "yes" : "NO", c.detail]),
          );
        if (!report.problems.length && !failedChecks.length) ctx.io.stdout("valid\n");
      }
      if (report.problems.length || failedChecks.length) {
        throw new CliError(
          VALIDATION_FAILED,
          `${report.problems.length} problem(s), ${failedChecks.length} failed checklist item(s)`,
          "fix the items above and run backfill validate again",
        );
      }
    });
}
