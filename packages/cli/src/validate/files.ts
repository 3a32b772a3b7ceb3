// Walks a connector's directory for the files validate reads (never node_modules).
import { readdirSync } from "node:fs";
import { join } from "node:path";

/** Files under `dir` whose names match `name`, skipping node_modules and the `skip` folders. */
export function filesUnder(dir: string, name: RegExp, skip: readonly string[] = []): string[] {
  const files: string[] = [];
  const walk = (at: string) => {
    let entries;
    try {
      entries = readdirSync(at, { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries) {
      if (entry.isDirectory() && entry.name !== "node_modules" && !skip.includes(entry.name)) walk(join(at, entry.name));
      else if (entry.isFile() && name.test(entry.name)) files.push(join(at, entry.name));
    }
  };
  walk(dir);
  return files.sort();
}
