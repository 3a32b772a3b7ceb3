import type { SyncProgress } from "@backfill-io/host";

const WIDTH = 20;

/** One line of sync progress: a bar over the connector's streams, then live counts. */
export function progressLine(streamIndex: number, streamCount: number, stream: string, p: SyncProgress): string {
  const filled = Math.round((WIDTH * streamIndex) / streamCount);
  const bar = "█".repeat(filled) + "░".repeat(WIDTH - filled);
  const bulk = bulkStepText(p.lastPage);
  return `${bar} ${stream} (${streamIndex + 1}/${streamCount}) · ${bulk ? `${bulk} · ` : ""}${p.pages} pages · ${p.records} records · ${Math.round(p.rate)}/s${p.retries ? ` · ${p.retries} retries` : ""}`;
}

const count = (n: unknown) => (typeof n === "number" ? n.toLocaleString("en-US") : "?");
const text = (v: unknown) => (typeof v === "string" ? v : "");

/**
 * What a bulk pass is doing, from the route's page summary (connectors/shopify lib/bulk):
 * the job's status and objects while it runs, then the file read a slice at a time.
 */
export function bulkStepText(page: Record<string, unknown> | undefined): string | undefined {
  if (page?.mode !== "bulk") return undefined;
  switch (page.step) {
    case "planned":
      return `bulk: planned (${count(page.windowDays)}-day windows)`;
    case "started":
      return "bulk: job started";
    case "waiting_for_slot":
      return "bulk: waiting for a free bulk slot";
    case "running":
      return `bulk job ${text(page.status)} · ${count(page.objectCount)} objects`;
    case "downloaded":
      return `bulk job ${text(page.status) || "COMPLETED"} · ${count(page.objectCount)} objects · ${page.partial ? "partial file" : "file"} ${count(page.bytes)} bytes`;
    case "read":
      if (page.partial) return `bulk partial file · ${count(page.offset)} bytes read${page.eof ? " (done: the rest of the window runs again)" : ""}`;
      return `bulk file · ${count(page.offset)} bytes read${page.eof ? " (done)" : ""}`;
    case "restart":
    case "resliced":
      return `bulk: job ${text(page.step)} (${text(page.status) || text(page.reason)})`;
    default:
      return `bulk: ${text(page.step)}`;
  }
}
