// backfill new <key> [--tenant-host <setting>]: a connector package from the template that
// passes validate, lint, typecheck and its own route tests as generated.
import type { Command } from "commander";
import type { CliContext } from "../context.js";
import { CliError } from "../errors.js";
import { NOT_IN_WORKSPACE } from "../error-codes.js";
import { newConnector } from "../scaffold/new-connector.js";
import { findWorkspaceRoot } from "../workspace.js";

export function registerNew(program: Command, ctx: CliContext): void {
  program
    .command("new")
    .description("create a connector package (connectors/<key>) from the template, and add it to the lockfile")
    .argument("<key>", "connector key: lowercase letters, digits and -")
    .option("--tenant-host <setting>", "the provider has a host per merchant, given by this setting (e.g. shop_domain); default: one fixed host")
    .option("--no-install", "do not update pnpm-lock.yaml (run node scripts/pnpm.mjs install yourself)")
    .addHelpText(
      "after",
      `
Writes manifest, postConnect and stream routes, provider client, failure mapping, error class,
mapper, tests (the guide's five postConnect cases), tsconfigs and vitest config, then runs the
pinned pnpm install so npm test (frozen lockfile) accepts the new package.

Examples:
  $ backfill new acme
  $ backfill new storely --tenant-host shop_domain
  $ npm test                                  # the new connector is included`,
    )
    .action(async (key: string, opts: { tenantHost?: string; install: boolean }) => {
      const root = findWorkspaceRoot();
      if (!root) throw new CliError(NOT_IN_WORKSPACE, "not inside a pnpm workspace (no pnpm-workspace.yaml here or above)", "run backfill new from the repository");
      const made = newConnector({ root, key, install: opts.install, log: (line) => ctx.io.stderr(line), ...(opts.tenantHost ? { tenantSetting: opts.tenantHost } : {}) });
      ctx.io.stdout(`created ${made.dir} (${made.files.length} files)\n`);
      ctx.io.stdout(`next: cd connectors/${key} && npx vitest run; then backfill validate connectors/${key}\n`);
    });
}
