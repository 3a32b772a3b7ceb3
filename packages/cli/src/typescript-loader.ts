// Connector manifests and routes are TypeScript. Under plain node the CLI registers tsx's
// ESM loader (a dependency) before it imports one, so a workspace connector runs from
// source with no build. Under vitest a loader is already active.
let enabled: Promise<boolean> | undefined;

export function enableTypeScriptImports(): Promise<boolean> {
  enabled ??= (async () => {
    if (process.env.VITEST) return true;
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
