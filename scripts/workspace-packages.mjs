// The workspace's packages (packages/* and connectors/*) with their package.json, for the
// release checks (check-pack.mjs, check-changesets.mjs).
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

/** [{ dir: "packages/sdk", manifest }] for every folder of packages/ and connectors/ with a readable package.json. */
export function workspacePackages(root) {
  const found = [];
  for (const group of ["packages", "connectors"]) {
    for (const entry of readdirSync(join(root, group), { withFileTypes: true })) {
      if (!entry.isDirectory()) continue;
      try {
        found.push({ dir: `${group}/${entry.name}`, manifest: JSON.parse(readFileSync(join(root, group, entry.name, "package.json"), "utf8")) });
      } catch {
        // not a package (no or unreadable package.json)
      }
    }
  }
  return found;
}
