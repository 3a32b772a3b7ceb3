// `backfill validate` loads backfill.config.ts. Under plain node that needs a TypeScript
// loader: use tsx when it is installed (it is a workspace dev dependency), else the SDK
// reports that the .ts manifest could not be loaded.
let enabled: Promise<boolean> | undefined;

export function enableTypeScriptImports(): Promise<boolean> {
  enabled ??= (async () => {
    if (process.env.VITEST) return true;
    try {
      const specifier = "tsx/esm/api"; // not a declared dependency: resolved only when present
      const api = (await import(specifier)) as { register: () => unknown };
      api.register();
      return true;
    } catch {
      return false;
    }
  })();
  return enabled;
}
