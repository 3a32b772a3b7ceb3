// `demo`: the end-to-end demo on the embedded default store, a command the workspace adds
// to the published `backfill` program (the CLI itself depends on no emulator or connector).
import type { Command } from "commander";
import { CliError, INVALID_OPTION_VALUE, parseDuration, printJson, type CliContext } from "@backfill-io/cli";
import { renderSummary, runDemo } from "./run-demo.js";

function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new CliError(INVALID_OPTION_VALUE, `${value} is not a positive whole number`, "pass e.g. --orders 200");
  return n;
}

function rate(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0 || n > 0.5)
    throw new CliError(INVALID_OPTION_VALUE, `${value} is not a fault rate between 0 and 0.5`, "pass e.g. --faults 0.1 for 10% injected 429/5xx");
  return n;
}

export function registerDemo(program: Command, ctx: CliContext): void {
  program
    .command("demo")
    .description("run the whole product offline: emulators, host, OAuth connect, sync every stream, token refresh")
    .option("--orders <n>", "orders per shop and merchant in the emulators", positiveInt, 1000)
    .option("--seed <n>", "seed of the emulators' data and faults", positiveInt, 7)
    .option("--faults <rate>", "fraction of provider requests answered 429 or 5xx (0..0.5)", rate, 0)
    .option("--json", "print the summary as JSON")
    .option("--serve [duration]", "keep the host (dashboard, connect page) and emulators up after the run: 10m, 1h (default 15m), Ctrl-C to stop")
    .option("--open-browser", "with --serve: open a connect page for another shop in the desktop's browser")
    .addHelpText(
      "after",
      `
What it does:
  1. starts local Shopify and Square emulators and the host (SQLite in the data dir)
  2. stores the OAuth app credentials (encrypted), like \`backfill credentials set\`
  3. connects a Shopify shop and a Square merchant through the real redirect flow,
     approving the consent page, then runs each connector's postConnect route
  4. syncs every stream with progress, then expires the Shopify access token and
     shows the refresh (Shopify replaces the refresh token on every use)
  5. prints a summary; run it again and the sync is incremental

Examples:
  $ backfill demo
  $ backfill demo --orders 2000 --faults 0.1
  $ backfill --data-dir /tmp/demo demo --json
  $ backfill demo --serve 30m      # then open the dashboard URL it prints`,
    )
    .action(async (opts: { orders: number; seed: number; faults: number; json?: boolean; serve?: string | boolean; openBrowser?: boolean }) => {
      const dataDir = ctx.dataDir();
      const databaseUrl = ctx.databaseUrl();
      if (opts.openBrowser && !opts.serve) throw new CliError(INVALID_OPTION_VALUE, "--open-browser needs --serve", "pass e.g. --serve 15m --open-browser");
      const serveMs = opts.serve === undefined || opts.serve === false ? undefined : opts.serve === true ? 15 * 60_000 : parseDuration(opts.serve);
      const summary = await runDemo({
        ...(dataDir ? { dataDir } : {}),
        ...(databaseUrl ? { databaseUrl } : {}),
        orders: opts.orders,
        seed: opts.seed,
        faults: opts.faults,
        ...(opts.json ? { json: true } : {}),
        ...(serveMs ? { serveMs, say: (line: string) => ctx.io.stderr(`${line}\n`) } : {}),
        ...(opts.openBrowser ? { openBrowser: true } : {}),
      });
      if (opts.json) printJson(ctx.io, summary);
      else ctx.io.stdout(renderSummary(summary) + "\n");
    });
}
