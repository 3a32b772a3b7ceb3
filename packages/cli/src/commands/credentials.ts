// backfill credentials set|list: the company OAuth app credential per credentialKey.
// The client secret comes from stdin or a hidden prompt, never from an argument.
import { Option, type Command } from "commander";
import type { CliContext } from "../context.js";
import { CliError } from "../errors.js";
import { SECRET_IN_ARGUMENT } from "../error-codes.js";
import { INVALID_CLIENT_SECRET } from "@backfill-io/host";
import { isoTime, printJson, printTable } from "../output.js";

const SET_EXAMPLES = `  $ backfill credentials set acme_public_app --client-id 1a2b3c   # prompts for the secret
  $ printf %s "$ACME_CLIENT_SECRET" | backfill credentials set acme_public_app --client-id 1a2b3c`;
const LIST_EXAMPLES = "  $ backfill credentials list --json";

export function registerCredentials(program: Command, ctx: CliContext): void {
  const credentials = program
    .command("credentials")
    .description("OAuth app credentials (client id and secret) per manifest client.credentialKey")
    .addHelpText("after", `\nExamples:\n${SET_EXAMPLES}\n${LIST_EXAMPLES}`);

  credentials
    .command("set")
    .description("store the OAuth app credential for a credentialKey (secret read from stdin or a hidden prompt)")
    .argument("<credentialKey>", "the manifest's connection.oauth.client.credentialKey")
    .requiredOption("--client-id <id>", "the OAuth app's client id")
    .addOption(new Option("--client-secret <secret>").hideHelp())
    .addHelpText("after", `\nExamples:\n${SET_EXAMPLES}`)
    .action(async (credentialKey: string, opts: { clientId: string; clientSecret?: string }) => {
      if (opts.clientSecret !== undefined) {
        throw new CliError(
          SECRET_IN_ARGUMENT,
          "the client secret is never taken as an argument (it would stay in shell history and process lists)",
          `printf %s "$CLIENT_SECRET" | backfill credentials set ${credentialKey} --client-id ${opts.clientId}`,
        );
      }
      const secret = (await ctx.io.readSecret(`client secret for ${credentialKey}: `)).trim();
      if (!secret)
        throw new CliError(
          INVALID_CLIENT_SECRET,
          "no client secret given",
          `pipe it on stdin: printf %s "$CLIENT_SECRET" | backfill credentials set ${credentialKey} --client-id ${opts.clientId}`,
        );
      const host = await ctx.openHost();
      const saved = await host.credentials.set(credentialKey, { clientId: opts.clientId, clientSecret: secret });
      ctx.io.stdout(`saved ${saved.credentialKey} (client id ${saved.clientId}); the secret is encrypted\n`);
    });

  credentials
    .command("list")
    .description("list OAuth app credentials (never the secrets)")
    .option("--json", "print JSON")
    .addHelpText("after", `\nExamples:\n${LIST_EXAMPLES}`)
    .action(async (opts: { json?: boolean }) => {
      const host = await ctx.openHost();
      const list = await host.credentials.list();
      if (opts.json) return printJson(ctx.io, list);
      if (!list.length) return ctx.io.stdout("no OAuth app credentials; add one with backfill credentials set <credentialKey> --client-id <id>\n");
      printTable(
        ctx.io,
        ["credential key", "client id", "updated", "status"],
        list.map((c) => [
          c.credentialKey,
          c.clientId,
          isoTime(c.updatedAt),
          c.rejected ? `refused by the provider (${c.rejected.reason}) at ${isoTime(c.rejected.at)}: set it again` : "ok",
        ]),
      );
    });
}
