// backfill validate [dir]: the manifest's problems and the guide's release checklist.
import type { Command } from "commander";
import { validateConnectorDir } from "@backfill-io/sdk";
import type { CliContext } from "../context.js";
import { printJson, printTable } from "../output.js";
import { CliError } from "../errors.js";
import { enableTypeScriptImports } from "../typescript-loader.js";

export function registerValidate(program: Command, ctx: CliContext): void {
  program
    .command("validate")
    .description("validate a connector: manifest rules, route files and the OAuth release checklist")
    .argument("[dir]", "connector directory", ".")
    .option("--json", "print the report as JSON")
    .addHelpText("after", "\nExamples:\n  $ backfill validate connectors/shopify\n  $ backfill validate . --json")
    .action(async (dir: string, opts: { json?: boolean }) => {
      await enableTypeScriptImports();
      const report = await validateConnectorDir(dir);
      const failedChecks = report.manifest?.connection.oauth ? report.checks.filter((c) => !c.ok) : [];
      if (opts.json) printJson(ctx.io, report);
      else {
        ctx.io.stdout(`${report.manifest ? `${report.manifest.key} ${report.manifest.version}` : "connector"} in ${report.dir}\n`);
        if (report.problems.length) printTable(ctx.io, ["problem", "rule", "message"], report.problems.map((p) => [p.path || "(root)", p.rule, p.message]));
        if (report.anonymousRoutes?.length) printTable(ctx.io, ["route without API key", "auth", "declared in manifest routes"], report.anonymousRoutes.map((r) => [r.route, r.auth, r.declared ? "yes" : "NO"]));
        if (report.checks.length) printTable(ctx.io, ["release checklist", "ok", "detail"], report.checks.map((c) => [c.name, c.ok ? "yes" : "NO", c.detail]));
        if (!report.problems.length && !failedChecks.length) ctx.io.stdout("valid\n");
      }
      if (report.problems.length || failedChecks.length) {
        throw new CliError(
          `${report.problems.length} problem(s), ${failedChecks.length} failed checklist item(s)`,
          "fix the items above and run backfill validate again",
        );
      }
    });
}
