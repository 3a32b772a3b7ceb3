import type { SyncProgress } from "@backfill-io/host";

const WIDTH = 20;

/** One line of sync progress: a bar over the connector's streams, then live counts. */
export function progressLine(streamIndex: number, streamCount: number, stream: string, p: SyncProgress): string {
  const filled = Math.round((WIDTH * streamIndex) / streamCount);
  const bar = "█".repeat(filled) + "░".repeat(WIDTH - filled);
  return `${bar} ${stream} (${streamIndex + 1}/${streamCount}) · ${p.pages} pages · ${p.records} records · ${Math.round(p.rate)}/s${p.retries ? ` · ${p.retries} retries` : ""}`;
}
