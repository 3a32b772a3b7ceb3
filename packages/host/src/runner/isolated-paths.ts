// What an isolated route child may read: the connector's package and the packages its code
// and the child's own code import (the SDK and their dependencies), found by walking
// package.json dependencies through node_modules. Real paths, because Node's module loader
// opens files by their real path; with each package its enclosing node_modules directory,
// where pnpm links the package's own dependencies as siblings. Nothing else: not the data
// dir, not the host's other files.
import { existsSync, readFileSync, realpathSync } from "node:fs";
import { basename, dirname, join, sep } from "node:path";

/** The nearest directory at or above `dir` with a package.json. */
export function packageRoot(dir: string): string {
  for (let at = dir; ; at = dirname(at)) {
    if (existsSync(join(at, "package.json"))) return at;
    if (dirname(at) === at) throw new Error(`no package.json at or above ${dir}`);
  }
}

/** Where `name` resolves from `fromDir` the way Node looks it up (node_modules up the tree), as a real path. */
function resolvePackageDir(name: string, fromDir: string): string | null {
  for (let at = fromDir; ; at = dirname(at)) {
    const candidate = join(at, "node_modules", name);
    if (existsSync(join(candidate, "package.json"))) return realpathSync(candidate);
    if (dirname(at) === at) return null;
  }
}

function runtimeDependencies(dir: string): string[] {
  const pkg = JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as {
    dependencies?: Record<string, string>;
    optionalDependencies?: Record<string, string>;
    peerDependencies?: Record<string, string>;
  };
  return [...new Set([...Object.keys(pkg.dependencies ?? {}), ...Object.keys(pkg.optionalDependencies ?? {}), ...Object.keys(pkg.peerDependencies ?? {})])];
}

/** The node_modules directory holding a package (its scope's parent for @scope/name), or null. */
function enclosingNodeModules(packageDir: string): string | null {
  const parent = dirname(packageDir);
  const modules = basename(parent).startsWith("@") ? dirname(parent) : parent;
  return basename(modules) === "node_modules" ? modules : null;
}

/** The packages at `roots` and every runtime dependency they reach, as real paths. */
export function dependencyClosure(roots: string[]): string[] {
  const seen = new Set<string>();
  const queue = roots.map((r) => realpathSync(r));
  for (let dir = queue.shift(); dir !== undefined; dir = queue.shift()) {
    if (seen.has(dir)) continue;
    seen.add(dir);
    for (const name of runtimeDependencies(dir)) {
      const found = resolvePackageDir(name, dir);
      if (found && !seen.has(found)) queue.push(found);
    }
  }
  return [...seen];
}

/**
 * The --allow-fs-read list for a route child: the connector's package (from its routes
 * directory) and the host's runner code, their dependency closure, and the node_modules
 * directories those packages sit in.
 */
export function isolatedReadPaths(routesDir: string, hostPackageDir: string): string[] {
  const packages = dependencyClosure([packageRoot(routesDir), hostPackageDir]);
  const modules = packages.map(enclosingNodeModules).filter((m): m is string => m !== null);
  return [...new Set([...packages, ...modules])].sort();
}

/** The protected paths (the host's data dir) that a read path contains: an isolated child could read them. */
export function exposedPaths(readPaths: string[], protectedPaths: string[]): string[] {
  const real = (p: string) => (existsSync(p) ? realpathSync(p) : p);
  return protectedPaths.map(real).filter((guarded) => readPaths.some((allowed) => guarded === allowed || guarded.startsWith(allowed + sep)));
}
