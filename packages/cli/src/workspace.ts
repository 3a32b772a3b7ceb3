// The pnpm workspace the CLI runs in (found upwards from a directory by its
// pnpm-workspace.yaml) and its connector packages: every connectors/* directory whose
// package.json has a `backfill` field. Only package.json files are read, nothing imported.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";

export function findWorkspaceRoot(from: string = process.cwd()): string | undefined {
  for (let dir = resolve(from); ; dir = dirname(dir)) {
    if (existsSync(join(dir, "pnpm-workspace.yaml"))) return dir;
    if (dirname(dir) === dir) return undefined;
  }
}

/** The connector package directories under <root>/connectors. */
export function workspaceConnectorDirs(root: string): string[] {
  const base = join(root, "connectors");
  let names: string[];
  try {
    names = readdirSync(base);
  } catch {
    return [];
  }
  return names
    .sort()
    .map((name) => join(base, name))
    .filter((dir) => {
      try {
        return "backfill" in (JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as object);
      } catch {
        return false;
      }
    });
}
