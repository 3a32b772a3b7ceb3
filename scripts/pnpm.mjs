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
const result = spawnSync(npx, ["--yes", `pnpm@${version}`, ...process.argv.slice(2)], { stdio: "inherit" });
process.exit(result.status ?? 1);
