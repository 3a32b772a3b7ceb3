// Renders the connector template (packages/cli/templates/connector, files ending .tmpl):
// `__key__`, `__Name__`, `__tenant__` are replaced, and `//#if tenant` / `//#else` /
// `//#endif` lines keep the block that fits --tenant-host (the marker lines are dropped).
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";

export const TEMPLATE_DIR = fileURLToPath(new URL("../../templates/connector", import.meta.url));

export type ScaffoldOptions = { key: string; name: string; tenantSetting?: string };

/** "acme-cloud" → "Acme Cloud". */
export function displayNameOf(key: string): string {
  return key
    .split(/[-_]/)
    .filter(Boolean)
    .map((w) => w[0]!.toUpperCase() + w.slice(1))
    .join(" ");
}

export function renderTemplateText(text: string, opts: ScaffoldOptions): string {
  const kept: string[] = [];
  // Each open block: is the tenant variant wanted, and are we in its #else half?
  const blocks: { tenant: boolean; inElse: boolean }[] = [];
  for (const line of text.split("\n")) {
    const marker = line.trim();
    if (marker === "//#if tenant") blocks.push({ tenant: !!opts.tenantSetting, inElse: false });
    else if (marker === "//#else") blocks[blocks.length - 1]!.inElse = true;
    else if (marker === "//#endif") blocks.pop();
    else if (blocks.every((b) => b.tenant !== b.inElse)) kept.push(line);
  }
  return kept
    .join("\n")
    .replaceAll("__tenant__", opts.tenantSetting ?? "")
    .replaceAll("__Name__", opts.name)
    .replaceAll("__key__", opts.key);
}

/** Every template file as [path relative to the package, rendered text]. */
export function renderTemplate(opts: ScaffoldOptions, dir: string = TEMPLATE_DIR): [string, string][] {
  const files: [string, string][] = [];
  const walk = (at: string) => {
    for (const entry of readdirSync(at, { withFileTypes: true })) {
      const path = join(at, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith(".tmpl")) files.push([relative(dir, path).slice(0, -".tmpl".length), renderTemplateText(readFileSync(path, "utf8"), opts)]);
    }
  };
  walk(dir);
  return files.sort(([a], [b]) => a.localeCompare(b));
}
