// backfill tokens refresh-due --within 7d
import type { Command } from "commander";
import type { CliContext } from "../context.js";
import { parseDuration } from "../duration.js";
import { CliError } from "../errors.js";
import { TOKEN_REFRESH_FAILED } from "../error-codes.js";
import { isoTime, printJson, printTable } from "../output.js";

export function registerTokens(program: Command, ctx: CliContext): void {
  const tokens = program
    .command("tokens")
    .description("OAuth token maintenance")
    .addHelpText("after", "\nExamples:\n  $ backfill tokens refresh-due --within 7d   # daily, e.g. from cron");
  tokens
    .command("refresh-due")
    .description("refresh connections whose refresh token would lapse within the window (run it daily)")
    .option("--within <duration>", "window: 30m, 12h, 7d, 2w", "7d")
    .option("--json", "print JSON")
    .addHelpText("after", "\nExamples:\n  $ backfill tokens refresh-due --within 7d\n  $ backfill tokens refresh-due --within 14d --json")
    .action(async (opts: { within: string; json?: boolean }) => {
      const withinMs = parseDuration(opts.within);
      const host = await ctx.openHost();
      const outcomes = await host.tokens.refreshDue({ withinMs });
      if (opts.json) printJson(ctx.io, outcomes);
      else if (!outcomes.length) ctx.io.stdout(`no refresh token lapses within ${opts.within}\n`);
      else
        printTable(
          ctx.io,
          ["connection", "result", "detail"],
          outcomes.map((o) => [o.connectionId, o.ok ? "refreshed" : "failed", o.ok ? `access token until ${isoTime(o.expiresAt)}` : `${o.code}: ${o.error}`]),
        );
      if (outcomes.some((o) => !o.ok))
        throw new CliError(TOKEN_REFRESH_FAILED, "some connections could not be refreshed", "reconnect them with backfill connect <connector> --connection <id>");
    });
}
