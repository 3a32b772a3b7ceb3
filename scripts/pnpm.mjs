#!/usr/bin/env node
// Runs the pinned pnpm (package.json "packageManager") without a global install:
// a fresh machine needs only Node.js and npm. npx caches the download.
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";

const root = new URL("..", import.meta.url);
const { packageManager } = JSON.parse(readFileSync(new URL("package.json", root), "utf8"));
const [name, version] = packageManager.split("@");
if (name !== "pnpm" || !version) {
  console.error(`package.json packageManager must be pnpm@<version>, got ${packageManager}`);
  process.exit(1);
}
const npx = process.platform === "win32" ? "npx.cmd" : "npx";
// Runs in the caller's directory, so `node ../../scripts/pnpm.mjs pack` works from a package.
// Turborepo's anonymous telemetry stays off unless the user turned it on themselves, and
// pnpm's "Update available ... curl | sh" banner stays off: the version is pinned on purpose.
const env = { TURBO_TELEMETRY_DISABLED: "1", npm_config_update_notifier: "false", pnpm_config_update_notifier: "false", ...process.env };
const result = spawnSync(npx, ["--yes", `pnpm@${version}`, ...process.argv.slice(2)], { stdio: "inherit", env });
process.exit(result.status ?? 1);
