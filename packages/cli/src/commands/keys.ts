// backfill keys rotate. The `keys` group is created here and returned, so other key
// commands (keys create: host API keys) register under the same group.
import type { Command } from "commander";
import type { CliContext } from "../context.js";
import { printJson } from "../output.js";

export function registerKeys(program: Command, ctx: CliContext): Command {
  const keys = program
    .command("keys")
    .description("encryption keys and host API keys")
    .addHelpText("after", "\nExamples:\n  $ backfill keys rotate\n  $ backfill keys create --name billing-sync");
  keys
    .command("rotate")
    .description("create a new data key and re-encrypt every stored secret with it")
    .option("--json", "print JSON")
    .addHelpText("after", "\nStop running hosts first: they cache the keyring and must be restarted after a rotation.\n\nExamples:\n  $ backfill keys rotate\n  $ backfill keys rotate --json | jq .reencrypted")
    .action(async (opts: { json?: boolean }) => {
      const host = await ctx.openHost();
      const result = await host.vault.rotate();
      if (opts.json) return printJson(ctx.io, result);
      ctx.io.stdout(`rotated to key ${result.keyId}: ${result.reencrypted} value(s) re-encrypted; retired ${result.previousKeyIds.join(", ")}\n`);
    });
  return keys;
}
