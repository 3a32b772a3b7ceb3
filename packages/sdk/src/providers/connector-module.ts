// A connector's manifest module (backfill.config.ts) default-exports the manifest and may
// export its provider plug-in as `providerPlugin`: the two ship together, so whoever
// loads the manifest registers the plug-in it came with.
import { BackfillError } from "../runtime/errors.js";
import { PROVIDER_PLUGIN_INVALID } from "./registry.js";
import type { ProviderPlugin } from "./types.js";

export const PROVIDER_PLUGIN_EXPORT = "providerPlugin";

/** The `providerPlugin` export of a loaded manifest module, or undefined when it has none. */
export function exportedProviderPlugin(mod: unknown): ProviderPlugin | undefined {
  if (!mod || typeof mod !== "object" || !(PROVIDER_PLUGIN_EXPORT in mod)) return undefined;
  const plugin = (mod as Record<string, unknown>)[PROVIDER_PLUGIN_EXPORT];
  if (!plugin || typeof plugin !== "object" || typeof (plugin as { provider?: unknown }).provider !== "string") {
    throw new BackfillError(PROVIDER_PLUGIN_INVALID, `the ${PROVIDER_PLUGIN_EXPORT} export is not a provider plug-in (defineProviderPlugin)`);
  }
  return plugin as ProviderPlugin;
}
