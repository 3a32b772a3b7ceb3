#!/usr/bin/env node
// check:pack (a turbo task CI runs): packs this package the way it is published (pnpm pack:
// workspace:^ ranges replaced, publishConfig applied, prepack run) and checks the tarball
// with publint (package.json fields, exports, files) and @arethetypeswrong/cli (the types
// each export resolves to, as an ESM-only package). Exits non-zero on any problem.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const bin = (name) => join(root, "node_modules", ".bin", name);
const out = mkdtempSync(join(tmpdir(), "backfill-pack-"));

function run(command, args, quiet = false) {
  const result = spawnSync(command, args, { stdio: quiet ? "pipe" : "inherit", encoding: "utf8", env: { ...process.env, npm_config_update_notifier: "false" } });
  if (quiet && result.status !== 0) process.stderr.write(`${result.stdout}${result.stderr}`);
  if (result.status !== 0) {
    rmSync(out, { recursive: true, force: true });
    console.error(`check:pack: ${[command, ...args].join(" ")} failed in ${process.cwd()}`);
    process.exit(result.status ?? 1);
  }
}

run(process.execPath, [join(root, "scripts", "pnpm.mjs"), "pack", "--pack-destination", out], true);
const tarball = join(out, readdirSync(out).find((f) => f.endsWith(".tgz")));
run(bin("publint"), ["run", tarball, "--strict"]);
run(bin("attw"), [tarball, "--profile", "esm-only", "--format", "table-flipped", "--no-emoji", "--no-color"]);
rmSync(out, { recursive: true, force: true });
