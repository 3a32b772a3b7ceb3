// Where the host finds connectors: by key, from the installed workspace packages
// `@backfill-io/connector-<key>` (their package.json `backfill` field names the manifest
// and routes dirs), or from an explicit directory.
import { existsSync, readdirSync, readFileSync, realpathSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import {
  BackfillError,
  CONNECTOR_NOT_FOUND,
  exportedProviderPlugin,
  ProviderRegistry,
  runningFromSource,
  validateManifest,
  type ConnectorManifest,
  type ProviderPlugin,
} from "@backfill-io/sdk";

export type LoadedConnector = {
  key: string;
  manifest: ConnectorManifest;
  /** The directory route files live in (`<route>.ts|.js` under it). */
  routesDir: string;
  packageDir?: string;
  /** The provider plug-in its manifest module exports (`providerPlugin`); the host registers it. */
  providerPlugin?: ProviderPlugin;
};

export interface ConnectorRegistry {
  get(key: string): Promise<LoadedConnector | undefined>;
  /**
   * Loads every connector of the registry now and returns them. A server calls it before it
   * listens, so answering a request never imports a module.
   */
  preload?(): Promise<LoadedConnector[]>;
}

type BackfillField = { manifest?: string; routes?: string; dist?: { manifest?: string; routes?: string } };

/** Which build of a connector to load first: its TypeScript source or its dist (default: source only where .ts can be imported). */
export type ConnectorLoadPreference = { prefer?: "source" | "dist" };

/** Loads a connector package directory (its package.json `backfill` field, or the defaults). */
export async function loadConnectorDir(dir: string, opts: ConnectorLoadPreference = {}): Promise<LoadedConnector> {
  const root = resolve(dir);
  const pkgFile = join(root, "package.json");
  const field: BackfillField = existsSync(pkgFile) ? ((JSON.parse(readFileSync(pkgFile, "utf8")) as { backfill?: BackfillField }).backfill ?? {}) : {};
  const source = { manifest: field.manifest ?? "./backfill.config.ts", routes: field.routes ?? "./src/api" };
  const dist = { manifest: field.dist?.manifest ?? "./dist/backfill.config.js", routes: field.dist?.routes ?? "./dist/src/api" };
  const order = (opts.prefer ?? (runningFromSource() ? "source" : "dist")) === "source" ? [source, dist] : [dist, source];
  const errors: string[] = [];
  for (const candidate of order) {
    const file = join(root, candidate.manifest);
    if (!existsSync(file)) continue;
    try {
      const mod = (await import(pathToFileURL(file).href)) as { default?: unknown };
      const providerPlugin = exportedProviderPlugin(mod);
      // The names the manifest uses must be its own plug-in's (or fail here, at load).
      const result = validateManifest(mod.default, { providers: new ProviderRegistry(providerPlugin ? [providerPlugin] : []) });
      if (!result.ok) {
        throw new Error(result.problems.map((p) => `${p.path}: ${p.message}`).join("; "));
      }
      return { key: result.manifest.key, manifest: result.manifest, routesDir: join(root, candidate.routes), packageDir: root, ...(providerPlugin ? { providerPlugin } : {}) };
    } catch (error) {
      errors.push(`${file}: ${(error as Error).message}`);
    }
  }
  throw new BackfillError(
    CONNECTOR_NOT_FOUND,
    errors.length ? `cannot load the connector in ${root}: ${errors.join("; ")}` : `no connector manifest in ${root} (build it, or add backfill.config.ts)`,
  );
}

/** What a connector key looks like (the manifest's rule); anything else is never looked up. */
export const CONNECTOR_KEY_PATTERN = /^[a-z][a-z0-9_-]{0,63}$/;
const PACKAGE_PREFIX = "connector-";

/**
 * The installed `@backfill-io/connector-<key>` packages visible from `bases`, as Node would
 * resolve them (each base's node_modules, then its parents'), by key. Only directory names
 * are read: nothing is imported.
 */
export function installedConnectorDirs(bases: readonly string[]): Map<string, string> {
  const found = new Map<string, string>();
  for (const base of bases) {
    for (let dir = resolve(base); ; dir = dirname(dir)) {
      const scope = join(dir, "node_modules", "@backfill-io");
      let names: string[] = [];
      try {
        names = readdirSync(scope);
      } catch {
        // no such scope folder here
      }
      for (const name of names) {
        const key = name.slice(PACKAGE_PREFIX.length);
        if (name.startsWith(PACKAGE_PREFIX) && CONNECTOR_KEY_PATTERN.test(key) && !found.has(key)) found.set(key, realpathSync(join(scope, name)));
      }
      if (dirname(dir) === dir) break;
    }
  }
  return found;
}

/**
 * A closed registry: the connectors installed as `@backfill-io/connector-<key>` (found from
 * `resolveFrom`, default the working directory and this package), the keys mapped in `dirs`,
 * and the connector packages in `connectorDirs` (keyed by their manifests). The set is fixed
 * when the registry is first used; a key that is not in it, or does not look like a key, is
 * never resolved, so no request can make the host import a module of its choosing.
 */
export function workspaceConnectorRegistry(
  opts: { resolveFrom?: string[]; dirs?: Record<string, string>; connectorDirs?: readonly string[] } & ConnectorLoadPreference = {},
): ConnectorRegistry {
  const load = (dir: string) => loadConnectorDir(dir, opts.prefer ? { prefer: opts.prefer } : {});
  const bases = opts.resolveFrom ?? [process.cwd(), dirname(new URL(import.meta.url).pathname)];
  let candidates: Map<string, string> | undefined;
  let fromDirs: Promise<Map<string, LoadedConnector>> | undefined;
  const loaded = new Map<string, Promise<LoadedConnector>>();
  const candidateDirs = () => (candidates ??= new Map([...installedConnectorDirs(bases), ...Object.entries(opts.dirs ?? {})]));
  const configured = () =>
    (fromDirs ??= (async () => {
      const byKey = new Map<string, LoadedConnector>();
      for (const dir of opts.connectorDirs ?? []) {
        const connector = await load(dir);
        byKey.set(connector.key, connector);
      }
      return byKey;
    })());
  const get = async (key: string): Promise<LoadedConnector | undefined> => {
    if (!CONNECTOR_KEY_PATTERN.test(key)) return undefined;
    const dir = candidateDirs().get(key);
    if (dir === undefined) return (await configured()).get(key);
    if (!loaded.has(key)) loaded.set(key, load(dir));
    return loaded.get(key)!;
  };
  return {
    get,
    async preload() {
      const all = await Promise.all([...candidateDirs().keys()].map((key) => get(key)));
      return [...all.filter((c): c is LoadedConnector => !!c), ...(await configured()).values()];
    },
  };
}

/** A registry over connectors already loaded (tests, embedders). */
export function staticConnectorRegistry(connectors: readonly LoadedConnector[]): ConnectorRegistry {
  const byKey = new Map(connectors.map((c) => [c.key, c]));
  return { get: async (key) => byKey.get(key), preload: async () => [...byKey.values()] };
}
