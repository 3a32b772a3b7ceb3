// backfill keys create: a host API key for connector routes and the JSON API. The key
// is printed once; only its SHA-256 hash is stored.
import type { Command } from "commander";
import { createApiKey } from "@backfill-io/host";
import type { CliContext } from "../context.js";
import { CliError } from "../errors.js";
import { INVALID_OPTION_VALUE } from "../error-codes.js";
import { printJson } from "../output.js";

export function registerKeysCreate(keys: Command, ctx: CliContext): void {
  keys
    .command("create")
    .description("create a host API key (shown once, stored hashed)")
    .option("--name <name>", "what the key is for", "default")
    .option("--json", "print JSON (the key included, once)")
    .addHelpText(
      "after",
      `
Send it as Authorization: Bearer <key> to connector routes and the JSON API of backfill serve.

Examples:
  $ backfill keys create --name billing-sync
  $ backfill keys create --name ci --json | jq -r .key`,
    )
    .action(async (opts: { name: string; json?: boolean }) => {
      const name = opts.name.trim();
      if (!name || name.length > 100) throw new CliError(INVALID_OPTION_VALUE, "--name must be 1 to 100 characters", "e.g. --name billing-sync");
      const host = await ctx.openHost();
      const created = await createApiKey(host.store, name);
      if (opts.json) return printJson(ctx.io, { id: created.id, name, prefix: created.prefix, key: created.key });
      ctx.io.stderr(`created host API key ${created.id} (${name}); copy it now, it is not shown again:\n`);
      ctx.io.stdout(`${created.key}\n`);
    });
}
