// Which routes run isolated (a permission-restricted child process) rather than trusted (a
// worker thread with the host's privileges). "auto", the default: connectors inside the
// host's own workspace are reviewed code and run trusted; any connector loaded from outside
// it (an installed package, a directory given on the command line) runs isolated.
import { BackfillError } from "@backfill-io/sdk";
import { existsSync, realpathSync } from "node:fs";
import { dirname, join, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { packageRoot } from "./isolated-paths.js";

export type RouteIsolation = "trusted" | "isolated" | "auto";

/** An isolated route is TypeScript source: the child runs no loader (it may not spawn esbuild), only built JavaScript. */
export const ISOLATED_NEEDS_JAVASCRIPT = "isolated_needs_javascript";

/** An isolated child would be able to read a protected path (the data dir sits inside the connector's or the host's package). */
export const ISOLATED_PATH_EXPOSED = "isolated_path_exposed";

/** An isolated route was to run but the runner was given no protectedPaths (the host's wiring names its data dir). */
export const ISOLATED_NEEDS_PROTECTED_PATHS = "isolated_needs_protected_paths";

/** Why an isolated child was not started; `code` becomes the route's error code. */
export class IsolationError extends BackfillError<typeof ISOLATED_PATH_EXPOSED | typeof ISOLATED_NEEDS_PROTECTED_PATHS> {
  constructor(code: typeof ISOLATED_PATH_EXPOSED | typeof ISOLATED_NEEDS_PROTECTED_PATHS, message: string) {
    super(code, message);
    this.name = "IsolationError";
  }
}

const HERE = dirname(fileURLToPath(import.meta.url));

/** The host package's directory (real path). */
export function hostPackageDir(): string {
  return realpathSync(packageRoot(HERE));
}

/** The built child entry: dist/runner/child.js of the host package (also when the host itself runs from source). */
export function childEntry(): string {
  return join(hostPackageDir(), "dist", "runner", "child.js");
}

let workspaceRoot: string | null | undefined;

/** The nearest directory above the host package with a pnpm-workspace.yaml, or null (an installed host has none). */
export function hostWorkspaceRoot(): string | null {
  if (workspaceRoot !== undefined) return workspaceRoot;
  for (let at = dirname(hostPackageDir()); ; at = dirname(at)) {
    if (existsSync(join(at, "pnpm-workspace.yaml"))) return (workspaceRoot = at);
    if (dirname(at) === at) return (workspaceRoot = null);
  }
}

function isInside(dir: string, root: string): boolean {
  return dir === root || dir.startsWith(root.endsWith(sep) ? root : root + sep);
}

/**
 * Whether routes under `routesDir` run isolated under this setting. `trustedRoots`: more
 * workspaces whose connectors are the operator's own (the CLI passes the pnpm workspace it
 * runs in, where `backfill new` writes connectors and runs them from source).
 */
export function runsIsolated(isolation: RouteIsolation, routesDir: string, trustedRoots: readonly string[] = []): boolean {
  if (isolation !== "auto") return isolation === "isolated";
  const real = existsSync(routesDir) ? realpathSync(routesDir) : routesDir;
  const roots = [hostWorkspaceRoot(), ...trustedRoots.map((r) => (existsSync(r) ? realpathSync(r) : r))].filter((r): r is string => r !== null);
  return !roots.some((root) => isInside(real, root));
}
