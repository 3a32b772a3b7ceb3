// Which connectors the CLI can run, a closed set fixed on first use:
// - the installed `@backfill-io/connector-<key>` packages (from the working directory and the CLI),
// - every connectors/* package of the workspace the CLI runs in (by its package name's key),
// - the connector dirs `backfill connect <dir>` remembered in <data dir>/connectors.json,
// - BACKFILL_CONNECTOR_DIRS=dir1,dir2 (connector packages outside the workspace),
// - and connectors this command loaded from a directory itself (connect ./path).
// Sources are preferred over dist whenever TypeScript can be imported (tsx): no build step.
import { existsSync, readFileSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { resolveDataDir, workspaceConnectorRegistry, writePrivateFile, type ConnectorRegistry, type LoadedConnector } from "@backfill-io/host";
import { enableTypeScriptImports } from "./typescript-loader.js";
import { findWorkspaceRoot, workspaceConnectorDirs } from "./workspace.js";

export const REMEMBERED_CONNECTORS_FILE = "connectors.json";

function rememberedFile(dataDir: string | undefined): string {
  return join(resolveDataDir(dataDir), REMEMBERED_CONNECTORS_FILE);
}

/** The connector dirs `connect <dir>` remembered for this data dir, by key. */
export function rememberedConnectorDirs(dataDir: string | undefined): Record<string, string> {
  const file = rememberedFile(dataDir);
  if (!existsSync(file)) return {};
  try {
    const parsed = JSON.parse(readFileSync(file, "utf8")) as unknown;
    return parsed && typeof parsed === "object" ? Object.fromEntries(Object.entries(parsed).filter(([, v]) => typeof v === "string")) : {};
  } catch {
    // A damaged file only forgets; connect <dir> writes it again.
    return {};
  }
}

/** Remembers where a connector given to `connect <dir>` lives, for sync, dryrun and serve. */
export function rememberConnectorDir(dataDir: string | undefined, key: string, dir: string): void {
  writePrivateFile(rememberedFile(dataDir), JSON.stringify({ ...rememberedConnectorDirs(dataDir), [key]: resolve(dir) }, null, 2) + "\n");
}

/** The key a workspace connector package is known by: `@backfill-io/connector-<key>`, else its dir name. */
function workspaceKeyOf(dir: string): string {
  try {
    const name = (JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as { name?: string }).name ?? "";
    const m = /^@[^/]+\/connector-(.+)$/.exec(name);
    if (m) return m[1]!;
  } catch {
    // fall through to the dir name
  }
  return basename(dir);
}

export class CliConnectorRegistry implements ConnectorRegistry {
  private inner: Promise<ConnectorRegistry> | undefined;
  private readonly loadedHere = new Map<string, LoadedConnector>();

  constructor(private readonly dataDir: () => string | undefined) {}

  private registry(): Promise<ConnectorRegistry> {
    this.inner ??= (async () => {
      const typescript = await enableTypeScriptImports();
      const root = findWorkspaceRoot();
      const dirs: Record<string, string> = {};
      for (const dir of root ? workspaceConnectorDirs(root) : []) dirs[workspaceKeyOf(dir)] = dir;
      Object.assign(dirs, rememberedConnectorDirs(this.dataDir()));
      return workspaceConnectorRegistry({
        resolveFrom: [process.cwd(), dirname(fileURLToPath(import.meta.url))],
        dirs,
        connectorDirs: (process.env.BACKFILL_CONNECTOR_DIRS ?? "")
          .split(",")
          .map((d) => d.trim())
          .filter(Boolean),
        prefer: typescript ? "source" : "dist",
      });
    })();
    return this.inner;
  }

  /** Makes a connector loaded from a directory findable by its key (connect ./path). */
  add(connector: LoadedConnector): void {
    this.loadedHere.set(connector.key, connector);
  }

  async get(key: string): Promise<LoadedConnector | undefined> {
    return this.loadedHere.get(key) ?? (await (await this.registry()).get(key));
  }

  async preload(): Promise<LoadedConnector[]> {
    const all = new Map<string, LoadedConnector>();
    for (const c of await (await this.registry()).preload!()) all.set(c.key, c);
    for (const c of this.loadedHere.values()) all.set(c.key, c);
    return [...all.values()];
  }
}
