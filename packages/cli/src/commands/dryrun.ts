// backfill dryrun <connection> <stream> [--pages N] [--save dir]: runs a stream against the
// provider without committing anything, prints the records and what a sync would change;
// --save records the provider's responses as fixtures plus a route test that replays them.
import type { Command } from "commander";
import type { CliContext } from "../context.js";
import { CliError } from "../errors.js";
import { DRYRUN_PAGE_FAILED, INVALID_OPTION_VALUE } from "../error-codes.js";
import { printJson, printTable } from "../output.js";
import { resolveConnection } from "../resolve-connection.js";
import { dryRunStream, type DryRunResult } from "../dryrun/dry-run.js";
import { saveFixtures } from "../dryrun/fixtures.js";

const MAX_PAGES = 100;

function pageCount(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > MAX_PAGES)
    throw new CliError(INVALID_OPTION_VALUE, `--pages ${value} is not a whole number from 1 to ${MAX_PAGES}`, "pass e.g. --pages 3");
  return n;
}

const text = (v: unknown): string | undefined => (typeof v === "string" ? v : typeof v === "number" ? String(v) : undefined);

function printDryRun(ctx: CliContext, result: DryRunResult): void {
  const records = result.pages.flatMap((p) => p.records);
  if (records.length) {
    printTable(
      ctx.io,
      ["change", "kind", "key", "name / customer", "updated"],
      records.map((r) => [
        r.change,
        r.kind,
        r.idempotencyKey,
        text(r.payload.display_name) ?? text(r.payload.customer_id) ?? text(r.payload.email),
        text(r.payload.provider_updated_at),
      ]),
    );
  } else ctx.io.stdout("no records\n");
  const counts = new Map<string, number>();
  for (const r of records) counts.set(r.change, (counts.get(r.change) ?? 0) + 1);
  const last = result.pages[result.pages.length - 1];
  ctx.io.stdout(
    `${result.pages.length} page(s), ${records.length} record(s): a sync would ${[...counts].map(([c, n]) => `${c} ${n}`).join(", ") || "change nothing"}; ` +
      `checkpoint → ${JSON.stringify(last?.checkpoint ?? null)}${last?.hasMore ? " (more pages)" : ""}. Nothing was committed.\n`,
  );
}

export function registerDryrun(program: Command, ctx: CliContext): void {
  program
    .command("dryrun")
    .description("run a stream against the provider without committing: the records and what a sync would change")
    .argument("<connection>", "connection id, or a connector key that has exactly one connection")
    .argument("<stream>", "stream name (from the manifest's streams)")
    .option("--pages <n>", `at most this many pages (1-${MAX_PAGES})`, pageCount, 1)
    .option("--save <dir>", "record the provider responses into <dir>/dryrun-<stream>.json and write test/<stream>.replay.test.ts replaying them")
    .option("--json", "print JSON (records, changes, checkpoints)")
    .addHelpText(
      "after",
      `
Runs the stream's route in the route runner exactly like sync (same permissions, same token
handling) but commits no record and no checkpoint: page 2 starts from page 1's checkpoint in
memory. Each record is compared with the store: insert, update, unchanged, stale, suppressed.

Examples:
  $ backfill dryrun acme customers
  $ backfill dryrun conn_3f2a9c orders --pages 3 --json
  $ backfill dryrun acme customers --pages 2 --save connectors/acme/test/fixtures`,
    )
    .action(async (ref: string, stream: string, opts: { pages: number; save?: string; json?: boolean }) => {
      const host = await ctx.openHost();
      const connection = await resolveConnection(host, ref);
      const result = await dryRunStream(host, ctx.routeRunner(), { connectionId: connection.id, stream, pages: opts.pages, record: !!opts.save });
      let saved;
      if (opts.save && result.ok) {
        const connector = await host.connectors.get(connection.connector_key);
        saved = saveFixtures(result, { saveDir: opts.save, manifest: connector!.manifest, settings: connection.settings, packageDir: connector!.packageDir });
      }
      if (opts.json) {
        printJson(ctx.io, { ...result, pages: result.pages.map(({ exchanges, ...p }) => ({ ...p, providerCalls: exchanges.length })), ...(saved ? { saved } : {}) });
      } else {
        printDryRun(ctx, result);
        if (saved) ctx.io.stdout(`saved ${saved.fixtureFile}${saved.testFile ? ` and ${saved.testFile}` : ""}\n`);
      }
      const failed = result.pages.find((p) => p.error);
      if (failed)
        throw new CliError(
          DRYRUN_PAGE_FAILED,
          `${stream}: the route answered ${failed.status}: ${failed.error}`,
          "see backfill connections show for the connection's status; nothing was committed",
        );
    });
}
