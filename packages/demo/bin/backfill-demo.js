#!/usr/bin/env node
// `backfill-demo`: the `backfill` program plus the workspace's `demo` command (npm run demo runs
// `backfill-demo demo`). Runs the built packages; build them with turbo from the repository root.
import { existsSync } from "node:fs";

const entry = new URL("../dist/index.js", import.meta.url);
if (!existsSync(entry)) {
  // A fresh clone: nothing is built yet. One line and the fix, like every other CLI error.
  process.stderr.write("error: the demo is not built (no packages/demo/dist)\nfix: in the repository root run node scripts/pnpm.mjs install --frozen-lockfile && node scripts/pnpm.mjs exec turbo run build (npm run demo does it too)\n");
  process.exit(1);
}
const { runDemoCli } = await import(entry.href);
process.exitCode = await runDemoCli(process.argv);
