// Where the host finds connectors: by key, from the installed workspace packages
// `@backfill-io/connector-<key>` (their package.json `backfill` field names the manifest
// and routes dirs), or from an explicit directory.
import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { validateManifest, type ConnectorManifest } from "@backfill-io/sdk";

export type LoadedConnector = {
  key: string;
  manifest: ConnectorManifest;
  /** The directory route files live in (`<route>.ts|.js` under it). */
  routesDir: string;
  packageDir?: string;
};

export interface ConnectorRegistry {
  get(key: string): Promise<LoadedConnector | undefined>;
}

export class ConnectorNotFoundError extends Error {
  readonly code = "connector_not_found" as const;
}

type BackfillField = { manifest?: string; routes?: string; dist?: { manifest?: string; routes?: string } };

/** True when .ts modules can be imported (vitest, tsx); plain node uses dist. */
function canImportTypeScript(): boolean {
  return !!process.env.VITEST || process.execArgv.some((a) => a.includes("tsx")) || !!process.env.TSX;
}

/** Loads a connector package directory (its package.json `backfill` field, or the defaults). */
export async function loadConnectorDir(dir: string): Promise<LoadedConnector> {
  const root = resolve(dir);
  const pkgFile = join(root, "package.json");
  const field: BackfillField = existsSync(pkgFile) ? ((JSON.parse(readFileSync(pkgFile, "utf8")) as { backfill?: BackfillField }).backfill ?? {}) : {};
  const source = { manifest: field.manifest ?? "./backfill.config.ts", routes: field.routes ?? "./src/api" };
  const dist = { manifest: field.dist?.manifest ?? "./dist/backfill.config.js", routes: field.dist?.routes ?? "./dist/src/api" };
  const order = canImportTypeScript() ? [source, dist] : [dist, source];
  const errors: string[] = [];
  for (const candidate of order) {
    const file = join(root, candidate.manifest);
    if (!existsSync(file)) continue;
    try {
      const mod = (await import(pathToFileURL(file).href)) as { default?: unknown };
      const result = validateManifest(mod.default);
      if (!result.ok) {
        throw new Error(result.problems.map((p) => `${p.path}: ${p.message}`).join("; "));
      }
      return { key: result.manifest.key, manifest: result.manifest, routesDir: join(root, candidate.routes), packageDir: root };
    } catch (error) {
      errors.push(`${file}: ${(error as Error).message}`);
    }
  }
  throw new ConnectorNotFoundError(
    errors.length ? `cannot load the connector in ${root}: ${errors.join("; ")}` : `no connector manifest in ${root} (build it, or add backfill.config.ts)`,
  );
}

/**
 * Finds `@backfill-io/connector-<key>` from `resolveFrom` directories (default: the
 * working directory and this package), or a key mapped to a directory in `dirs`.
 */
export function workspaceConnectorRegistry(opts: { resolveFrom?: string[]; dirs?: Record<string, string> } = {}): ConnectorRegistry {
  const cache = new Map<string, Promise<LoadedConnector | undefined>>();
  const bases = opts.resolveFrom ?? [process.cwd(), dirname(new URL(import.meta.url).pathname)];
  const find = async (key: string): Promise<LoadedConnector | undefined> => {
    if (opts.dirs?.[key]) return loadConnectorDir(opts.dirs[key]);
    for (const base of bases) {
      try {
        const req = createRequire(join(base, "noop.js"));
        const pkg = req.resolve(`@backfill-io/connector-${key}/package.json`);
        return await loadConnectorDir(dirname(pkg));
      } catch (error) {
        if (error instanceof ConnectorNotFoundError) throw error;
      }
    }
    return undefined;
  };
  return {
    get(key) {
      if (!cache.has(key)) cache.set(key, find(key));
      return cache.get(key)!;
    },
  };
}

/** A registry over connectors already loaded (tests, embedders). */
export function staticConnectorRegistry(connectors: readonly LoadedConnector[]): ConnectorRegistry {
  const byKey = new Map(connectors.map((c) => [c.key, c]));
  return { get: async (key) => byKey.get(key) };
}
