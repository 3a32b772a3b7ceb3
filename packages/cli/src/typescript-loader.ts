// Connector manifests and routes are TypeScript. Under plain node the CLI registers tsx's
// ESM loader (a dependency) before it imports one, so a workspace connector runs from
// source with no build. When the workspace already runs from source, a loader is active.
import { runningFromSource } from "@backfill-io/sdk";

let enabled: Promise<boolean> | undefined;

export function enableTypeScriptImports(): Promise<boolean> {
  enabled ??= (async () => {
    if (runningFromSource()) return true;
    try {
      const api = (await import("tsx/esm/api")) as { register: () => unknown };
      api.register();
      return true;
    } catch {
      return false;
    }
  })();
  return enabled;
}
