// Finds the connector manifest for a test that did not pass one: the nearest
// backfill.config.{ts,js} above the test file (read from the call stack), else above cwd.
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import type { ConnectorManifest } from "../manifest/schema.js";
import { validateManifest, ManifestError, isDefinedManifest } from "../manifest/define.js";
import { exportedProviderPlugin } from "../providers/connector-module.js";
import { ProviderRegistry } from "../providers/registry.js";
import type { ProviderPlugin } from "../providers/types.js";

const MANIFEST_FILES = ["backfill.config.ts", "backfill.config.js"];
const SDK_DIR = dirname(dirname(fileURLToPath(import.meta.url)));

/** The first file on the stack outside the SDK: the test that created the runtime. */
export function callerFile(): string | undefined {
  const stack = new Error().stack ?? "";
  for (const line of stack.split("\n").slice(1)) {
    const match = /\(?((?:file:\/\/)?\/[^():]+):\d+:\d+\)?$/.exec(line.trim());
    if (!match) continue;
    const file = match[1]!.startsWith("file://") ? fileURLToPath(match[1]!) : match[1]!;
    if (!file.startsWith(SDK_DIR) && !file.includes("/node_modules/")) return file;
  }
  return undefined;
}

export function findManifestFile(startDirs: (string | undefined)[]): string | undefined {
  for (const start of startDirs) {
    if (!start) continue;
    let dir = start;
    for (;;) {
      for (const name of MANIFEST_FILES) if (existsSync(join(dir, name))) return join(dir, name);
      const parent = dirname(dir);
      if (parent === dir) break;
      dir = parent;
    }
  }
  return undefined;
}

/** The manifest of a backfill.config module and the provider plug-in it exports beside it. */
export type LoadedConnectorModule = { manifest: ConnectorManifest; providerPlugin: ProviderPlugin | undefined };

export async function loadConnectorModule(file: string): Promise<LoadedConnectorModule> {
  const mod = (await import(pathToFileURL(file).href)) as { default?: unknown };
  const providerPlugin = exportedProviderPlugin(mod);
  const result = validateManifest(mod.default, { providers: new ProviderRegistry(providerPlugin ? [providerPlugin] : []) });
  if (!result.ok) throw new ManifestError(result.problems, file);
  return { manifest: isDefinedManifest(mod.default) ? mod.default : result.manifest, providerPlugin };
}
