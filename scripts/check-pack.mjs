#!/usr/bin/env node
// check:pack (a turbo task CI runs): packs this package the way it is published (pnpm pack:
// workspace:^ ranges replaced, publishConfig applied, prepack run) and checks the tarball
// with publint (package.json fields, exports, files) and @arethetypeswrong/cli (the types
// each export resolves to, as an ESM-only package). A published package must not depend on
// a private workspace package (the emulators, the demo): its users could not install it.
// Exits non-zero on any problem.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { workspacePackages } from "./workspace-packages.mjs";

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
refusePrivateDependencies(tarball);
run(bin("attw"), [tarball, "--profile", "esm-only", "--format", "table-flipped", "--no-emoji", "--no-color"]);
rmSync(out, { recursive: true, force: true });

/** Names of the workspace's private packages (never published). */
function privateWorkspacePackages() {
  return new Set(workspacePackages(root).filter(({ manifest }) => manifest.private).map(({ manifest }) => manifest.name));
}

/** Fails when the packed package.json depends (dependencies, peer or optional) on a private workspace package. */
function refusePrivateDependencies(tarballPath) {
  const listed = spawnSync("tar", ["-xzOf", tarballPath, "package/package.json"], { encoding: "utf8" });
  if (listed.status !== 0) {
    console.error(`check:pack: cannot read package.json from ${tarballPath}: ${listed.stderr}`);
    rmSync(out, { recursive: true, force: true });
    process.exit(1);
  }
  const manifest = JSON.parse(listed.stdout);
  const privates = privateWorkspacePackages();
  const offending = ["dependencies", "peerDependencies", "optionalDependencies"].flatMap((field) => Object.keys(manifest[field] ?? {}).filter((name) => privates.has(name)).map((name) => `${field}.${name}`));
  if (offending.length > 0) {
    console.error(`check:pack: ${manifest.name} is published but depends on private workspace packages: ${offending.join(", ")}`);
    rmSync(out, { recursive: true, force: true });
    process.exit(1);
  }
}
