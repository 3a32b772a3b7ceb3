#!/usr/bin/env node
// check:changesets (part of `npm test`): every published package whose published files changed
// since the last release is named by a pending changeset under .changeset/. The last release is
// the newest `@backfill-io/*@*` tag (`changeset publish` creates them); before the first release,
// the repository's first commit. (`changeset status` alone would not do: it counts a package as
// covered when it is only bumped because a dependency changed.)
import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { workspacePackages } from "./workspace-packages.mjs";

const root = fileURLToPath(new URL("..", import.meta.url));
const git = (...args) => spawnSync("git", args, { cwd: root, encoding: "utf8" });

if (git("rev-parse", "--is-inside-work-tree").status !== 0) {
  console.log("check:changesets: not a git checkout, nothing to compare");
  process.exit(0);
}
const tag = git("describe", "--tags", "--abbrev=0", "--match", "@backfill-io/*@*").stdout.trim();
const since = tag || git("rev-list", "--max-parents=0", "HEAD").stdout.trim().split("\n").at(-1);

/** Published workspace packages: { name, dir, files } from their package.json. */
function publishedPackages() {
  return workspacePackages(root)
    .filter(({ manifest }) => !manifest.private)
    .map(({ dir, manifest }) => ({ name: manifest.name, dir, files: [...(manifest.files ?? []), "package.json"] }));
}

/** Package names named in the frontmatter of the pending changesets. */
function namedByChangesets() {
  const names = new Set();
  for (const file of readdirSync(join(root, ".changeset"))) {
    if (!file.endsWith(".md") || file === "README.md") continue;
    const text = readFileSync(join(root, ".changeset", file), "utf8");
    const front = /^---\n([\s\S]*?)\n---/.exec(text)?.[1] ?? "";
    for (const match of front.matchAll(/^["']?([^"':\s]+)["']?\s*:\s*(patch|minor|major)\s*$/gm)) names.add(match[1]);
  }
  return names;
}

const named = namedByChangesets();
// A private package is never released: a changeset naming it would make `changeset version` bump it.
const privateNamed = workspacePackages(root)
  .filter(({ manifest }) => manifest.private && named.has(manifest.name))
  .map(({ manifest }) => manifest.name);
if (privateNamed.length) {
  console.error(`check:changesets: pending changesets name private packages: ${privateNamed.join(", ")}`);
  console.error("fix: remove those lines from the changesets under .changeset/ (a changeset left naming no package can go)");
  process.exit(1);
}
const missing = [];
for (const pkg of publishedPackages()) {
  // What the package publishes: `files` entries, with `dist` meaning the sources it is built from.
  const paths = pkg.files.flatMap((f) => (f === "dist" ? ["src", "bin"] : [f])).map((f) => `${pkg.dir}/${f}`);
  const changed = git("diff", "--name-only", `${since}..HEAD`, "--", ...paths).stdout.trim();
  if (changed && !named.has(pkg.name)) missing.push(`${pkg.name} (${changed.split("\n").length} published files changed)`);
}
if (missing.length) {
  console.error(`check:changesets: changed since ${tag || "the first commit"} without a changeset: ${missing.join(", ")}`);
  console.error("fix: run `npm run changeset`, pick the package(s) and the bump, and commit the file it writes under .changeset/");
  process.exit(1);
}
console.log(`check:changesets: every changed published package has a pending changeset (since ${tag || "the first commit"})`);
