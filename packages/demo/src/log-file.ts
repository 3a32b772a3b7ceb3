// The demo's host log: <data dir>/demo.log, appended to (redacted by the host logger),
// readable by its owner only, in a data dir that is 0700.
import { join } from "node:path";
import type { WriteStream } from "node:fs";
import { ensureDataDir, openPrivateAppendStream } from "@backfill-io/host";

export const DEMO_LOG_FILE = "demo.log";

export function openDemoLog(dataDir: string): { file: string; stream: WriteStream } {
  ensureDataDir(dataDir);
  const file = join(dataDir, DEMO_LOG_FILE);
  return { file, stream: openPrivateAppendStream(file) };
}
