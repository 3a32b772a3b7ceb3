// backfill sync <connection> [--stream s]: runs every stream of a connection (or one)
// through the route runner, page after page, with live progress and a result table.
import type { Command } from "commander";
import { MultiBar, Presets, type SingleBar } from "cli-progress";
import type { SyncProgress, SyncResult } from "@backfill-io/host";
import type { CliContext } from "../context.js";
import { formatDuration } from "../duration.js";
import { CliError } from "../errors.js";
import { CONNECTION_NOT_ACTIVE, NO_STREAMS, SYNC_CANCELLED, SYNC_FAILED, UNKNOWN_STREAM } from "../error-codes.js";
import { CONNECTOR_NOT_FOUND, REAUTH_REQUIRED } from "@backfill-io/sdk";
import type { CliIO } from "../io.js";
import { printJson, printTable } from "../output.js";
import { resolveConnection } from "../resolve-connection.js";

type ProgressView = { update(p: SyncProgress): void; stop(): void };

/** Writes cli-progress's terminal output through the CLI's IO (stderr), as a TTY. */
function terminalStream(io: CliIO): NodeJS.WritableStream {
  return {
    isTTY: true,
    get columns() {
      return process.stderr.columns;
    },
    write(data: string | Uint8Array, cb?: unknown) {
      io.stderr(typeof data === "string" ? data : Buffer.from(data).toString("utf8"));
      if (typeof cb === "function") (cb as () => void)();
      return true;
    },
  } as unknown as NodeJS.WritableStream;
}

/** A bar per stream on a terminal: pages, records, rate and retries, updated live. */
function barView(io: CliIO): ProgressView {
  const multi = new MultiBar(
    {
      stream: terminalStream(io),
      format: "{stream} {bar} {pages} pages | {records} records | {rate}/s | {retries} retries",
      hideCursor: true,
      clearOnComplete: false,
      barsize: 20,
      fps: 10,
    },
    Presets.shades_classic,
  );
  const bars = new Map<string, SingleBar>();
  const payload = (p: SyncProgress) => ({ stream: p.stream.padEnd(14), pages: p.pages, records: p.records, rate: Math.round(p.rate), retries: p.retries });
  return {
    update(p) {
      let bar = bars.get(p.stream);
      if (!bar) bars.set(p.stream, (bar = multi.create(1, 0, payload(p))));
      // The page count of a stream is unknown until the engine says the stream is done: then the bar fills.
      bar.update(p.done ? 1 : 0, payload(p));
    },
    stop() {
      multi.stop();
    },
  };
}

/** Plain lines for logs and pipes: the first page of each stream, at most one line per interval, and its end. */
function lineView(io: CliIO, intervalMs = 2000): ProgressView {
  const last = new Map<string, number>();
  return {
    update(p) {
      const now = Date.now();
      const previous = last.get(p.stream);
      // Always the final line of a stream; otherwise at most one line per interval.
      if (!p.done && previous !== undefined && now - previous < intervalMs) return;
      last.set(p.stream, now);
      io.stderr(`${p.stream}: ${p.pages} pages, ${p.records} records, ${Math.round(p.rate)}/s, ${p.retries} retries\n`);
    },
    stop() {},
  };
}

function printSyncResults(io: CliIO, results: SyncResult[]): void {
  printTable(
    io,
    ["stream", "outcome", "pages", "accepted", "rejected", "retries", "time"],
    results.map((r) => [r.stream, r.outcome, r.pages, r.accepted, r.rejected, r.retries, formatDuration(r.durationMs)]),
  );
  // A run that succeeded without part of the data says so, below the table.
  for (const r of results) {
    for (const notice of r.notices ?? []) io.stdout(`note: ${r.stream}: ${notice.message}\n`);
  }
}

export function registerSync(program: Command, ctx: CliContext): void {
  program
    .command("sync")
    .description("sync a connection's streams now, resuming from the last committed checkpoint")
    .argument("<connection>", "connection id, or a connector key that has exactly one connection")
    .option("--stream <name>", "only this stream")
    .option("--json", "print the results as JSON (no progress output)")
    .addHelpText(
      "after",
      `
Progress goes to stderr: a bar per stream on a terminal, a line every few seconds otherwise.
The exit code is non-zero when a stream failed or the connection needs authorizing again.
Ctrl-C stops after the current page; the next sync resumes from there.

Examples:
  $ backfill sync conn_3f2a9c
  $ backfill sync acme --stream orders
  $ backfill sync conn_3f2a9c --json | jq '.[] | {stream, outcome, accepted}'`,
    )
    .action(async (ref: string, opts: { stream?: string; json?: boolean }) => {
      const host = await ctx.openHost();
      const connection = await resolveConnection(host, ref);
      const connector = await ctx.connectors.get(connection.connector_key);
      if (!connector) {
        throw new CliError(
          CONNECTOR_NOT_FOUND,
          `connector ${connection.connector_key} of ${connection.id} is not installed`,
          `install @backfill-io/connector-${connection.connector_key}, or set BACKFILL_CONNECTOR_DIRS to its directory`,
        );
      }
      const streams = connector.manifest.streams.map((s) => s.name);
      if (opts.stream && !streams.includes(opts.stream)) {
        throw new CliError(
          UNKNOWN_STREAM,
          `connector ${connection.connector_key} has no stream ${opts.stream}`,
          streams.length ? `use one of: ${streams.join(", ")}` : "this connector declares no streams",
        );
      }
      if (!streams.length) throw new CliError(NO_STREAMS, `connector ${connection.connector_key} declares no streams`, "nothing to sync; add streams to its manifest");
      if (connection.status !== "active") {
        throw new CliError(
          CONNECTION_NOT_ACTIVE,
          `connection ${connection.id} is ${connection.status}${connection.status_reason ? ` (${connection.status_reason})` : ""}`,
          `backfill connect ${connection.connector_key} --connection ${connection.id}`,
        );
      }

      const engine = await ctx.syncEngine();
      const view = opts.json ? undefined : process.stderr.isTTY ? barView(ctx.io) : lineView(ctx.io);
      const controller = new AbortController();
      const onSignal = () => controller.abort();
      process.once("SIGINT", onSignal);
      let results: SyncResult[];
      try {
        results = await engine.syncConnection(connection.id, {
          ...(opts.stream ? { stream: opts.stream } : {}),
          signal: controller.signal,
          ...(view ? { onProgress: (p: SyncProgress) => view.update(p) } : {}),
        });
      } finally {
        process.removeListener("SIGINT", onSignal);
        view?.stop();
      }

      if (opts.json) printJson(ctx.io, results);
      else printSyncResults(ctx.io, results);

      const reauth = results.find((r) => r.outcome === "reauth_required");
      if (reauth) {
        throw new CliError(
          REAUTH_REQUIRED,
          `${reauth.stream}: the connection needs authorizing again${reauth.error ? ` (${reauth.error})` : ""}`,
          `backfill connect ${connection.connector_key} --connection ${connection.id}`,
        );
      }
      const failed = results.filter((r) => r.outcome === "failed");
      if (failed.length) {
        throw new CliError(
          SYNC_FAILED,
          `${failed.map((r) => r.stream).join(", ")} failed: ${failed[0]!.error ?? "unknown error"}`,
          `see backfill runs --connection ${connection.id}; backfill sync ${connection.id} resumes from the last committed page`,
        );
      }
      if (results.some((r) => r.outcome === "cancelled")) {
        throw new CliError(SYNC_CANCELLED, "sync cancelled", `backfill sync ${connection.id} resumes from the last committed page`, 130);
      }
    });
}
