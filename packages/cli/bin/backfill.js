#!/usr/bin/env node
// The `backfill` command. Runs the built CLI (packages/cli/dist); build it with `npx tsc -p tsconfig.build.json`.
import { existsSync } from "node:fs";

const entry = new URL("../dist/index.js", import.meta.url);
if (!existsSync(entry)) {
  // A fresh clone: nothing is built yet. One line and the fix, like every other CLI error.
  process.stderr.write("error: the backfill CLI is not built (no packages/cli/dist)\nfix: in the repository root run node scripts/pnpm.mjs install --frozen-lockfile && node scripts/pnpm.mjs exec turbo run build (npm test and npm run demo do it too)\n");
  process.exit(1);
}
const { runCli } = await import(entry.href);
process.exitCode = await runCli(process.argv);
