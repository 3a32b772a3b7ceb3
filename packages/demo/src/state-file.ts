// What the demo remembers between runs in its data dir: the emulators' data anchor (so a
// second run sees the same history plus new changes, and its sync is incremental) and how
// many runs came before.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { ensureDataDir, writePrivateFile } from "@backfill-io/host";

export type DemoState = { dataAnchor: string; runs: number };

const FILE = "demo.json";

export function readDemoState(dataDir: string, now: number = Date.now()): DemoState {
  const file = join(dataDir, FILE);
  if (existsSync(file)) {
    try {
      const parsed = JSON.parse(readFileSync(file, "utf8")) as Partial<DemoState>;
      if (typeof parsed.dataAnchor === "string" && typeof parsed.runs === "number") return { dataAnchor: parsed.dataAnchor, runs: parsed.runs };
    } catch {
      // unreadable: start over, as on a first run
    }
  }
  return { dataAnchor: new Date(now - 24 * 3600_000).toISOString(), runs: 0 };
}

/** 0600 in a 0700 data dir, like every file there. */
export function writeDemoState(dataDir: string, state: DemoState): void {
  ensureDataDir(dataDir);
  writePrivateFile(join(dataDir, FILE), JSON.stringify(state, null, 2) + "\n");
}
