// backfill runs: the sync run records (newest first), as a table or JSON.
import type { Command } from "commander";
import type { SyncRunRow } from "@backfill-io/host";
import type { CliContext } from "../context.js";
import { formatDuration } from "../duration.js";
import { isoTime, printJson, printTable } from "../output.js";
import { positiveLimit } from "../option-values.js";
import { connectorKeysById, resolveConnection } from "../resolve-connection.js";

function runJson(r: SyncRunRow, connectorKeys: Map<string, string>) {
  return {
    id: r.id,
    connectionId: r.connection_id,
    connector: connectorKeys.get(r.connection_id) ?? null,
    stream: r.stream,
    status: r.status,
    outcome: r.outcome,
    pages: r.pages,
    accepted: r.accepted,
    rejected: r.rejected,
    retries: r.retries,
    startedAt: r.started_at,
    finishedAt: r.finished_at,
    durationMs: r.finished_at === null ? null : r.finished_at - r.started_at,
    error: r.error,
  };
}

export function registerRuns(program: Command, ctx: CliContext): void {
  program
    .command("runs")
    .description("list sync runs, newest first: outcome, pages, records, retries, time")
    .option("--connection <id>", "only this connection (an id, or a connector key with one connection)")
    .option("--stream <name>", "only this stream")
    .option("--limit <n>", "at most this many runs", positiveLimit, 20)
    .option("--json", "print JSON")
    .addHelpText(
      "after",
      `
Examples:
  $ backfill runs
  $ backfill runs --connection conn_3f2a9c --stream orders --limit 5
  $ backfill runs --json | jq '.[] | select(.outcome != "succeeded")'`,
    )
    .action(async (opts: { connection?: string; stream?: string; limit: number; json?: boolean }) => {
      const host = await ctx.openHost();
      const connectionId = opts.connection ? (await resolveConnection(host, opts.connection)).id : undefined;
      const rows = await host.store.syncRuns.list({ ...(connectionId ? { connectionId } : {}), ...(opts.stream ? { stream: opts.stream } : {}), limit: opts.limit });
      const connectorKeys = await connectorKeysById(host);
      const runs = rows.map((r) => runJson(r, connectorKeys));
      if (opts.json) return printJson(ctx.io, runs);
      if (!runs.length) return ctx.io.stdout("no sync runs yet; start one with backfill sync <connection>\n");
      printTable(
        ctx.io,
        ["run", "connector", "connection", "stream", "outcome", "pages", "accepted", "rejected", "retries", "started", "time"],
        runs.map((r) => [
          r.id,
          r.connector,
          r.connectionId,
          r.stream,
          r.status === "running" ? "running" : (r.outcome ?? r.status),
          r.pages,
          r.accepted,
          r.rejected,
          r.retries,
          isoTime(r.startedAt),
          r.durationMs === null ? "-" : formatDuration(r.durationMs),
        ]),
      );
      const failed = runs.filter((r) => r.error);
      for (const r of failed.slice(0, 5)) ctx.io.stdout(`${r.id} ${r.stream}: ${r.error}\n`);
    });
}
