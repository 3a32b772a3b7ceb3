// Provider plug-ins reach the host explicitly: given to openHost ({ providers }) or exported
// by a connector's manifest module, registered when the registry loads that connector (a
// server preloads every connector before it listens). Registering also teaches the
// process redactor the provider's token shapes.
import { defaultRedactor, type ProviderPlugin, type ProviderRegistry, type Redactor } from "@backfill-io/sdk";
import type { ConnectorRegistry, LoadedConnector } from "./connectors.js";

export function registerProviderPlugin(providers: ProviderRegistry, plugin: ProviderPlugin, redactor: Redactor = defaultRedactor()): void {
  providers.register(plugin);
  redactor.addTokenPatterns(plugin.tokenPatterns ?? []);
}

/** `connectors`, registering each loaded connector's provider plug-in with `providers` before it is returned. */
export function registeringProviderPlugins(connectors: ConnectorRegistry, providers: ProviderRegistry): ConnectorRegistry {
  const registered = (connector: LoadedConnector | undefined) => {
    if (connector?.providerPlugin) registerProviderPlugin(providers, connector.providerPlugin);
    return connector;
  };
  return {
    get: async (key) => registered(await connectors.get(key)),
    ...(connectors.preload
      ? {
          preload: async () => {
            const all = await connectors.preload!();
            all.forEach(registered);
            return all;
          },
        }
      : {}),
  };
}
