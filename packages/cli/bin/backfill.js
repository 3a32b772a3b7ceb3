#!/usr/bin/env node
// The `backfill` command. Runs the built CLI (packages/cli/dist); build it with `npx tsc -p tsconfig.build.json`.
import { runCli } from "../dist/index.js";

process.exitCode = await runCli(process.argv);
