// The provider plug-ins a host (or a test runtime) was given, by the names manifests use.
// Filled by explicit register() calls at startup; a name registered twice by different
// plug-ins is refused, so no connector can replace another provider's verifier.
import { BackfillError } from "../runtime/errors.js";
import { PROVIDER_PLUGIN_CONFLICT, PROVIDER_PLUGIN_INVALID } from "../runtime/error-codes.js";
import type { CallbackVerifier, HostNormalizer, ProviderPlugin, TokenMigration, TokenPattern } from "./types.js";

export { PROVIDER_PLUGIN_CONFLICT, PROVIDER_PLUGIN_INVALID };

const PLUGIN_NAME = /^[A-Za-z][A-Za-z0-9_-]{0,63}$/;

/** Checks a plug-in's shape (names, pattern flags) and returns it frozen. */
export function defineProviderPlugin(plugin: ProviderPlugin): ProviderPlugin {
  const fail = (message: string) => new BackfillError(PROVIDER_PLUGIN_INVALID, `provider plug-in ${JSON.stringify(plugin.provider)}: ${message}`);
  if (!PLUGIN_NAME.test(plugin.provider)) throw fail("provider must be an identifier");
  for (const name of [...Object.keys(plugin.hostNormalizers ?? {}), ...Object.keys(plugin.callbackVerifiers ?? {})]) {
    if (!PLUGIN_NAME.test(name)) throw fail(`${JSON.stringify(name)} is not an identifier`);
  }
  for (const { pattern } of plugin.tokenPatterns ?? []) {
    if (!pattern.global) throw fail(`token pattern ${String(pattern)} needs the g flag`);
  }
  return Object.freeze({ ...plugin });
}

export class ProviderRegistry {
  private readonly plugins = new Map<string, ProviderPlugin>();
  private readonly normalizers = new Map<string, HostNormalizer>();
  private readonly verifiers = new Map<string, CallbackVerifier>();

  constructor(plugins: readonly ProviderPlugin[] = []) {
    for (const plugin of plugins) this.register(plugin);
  }

  /** Adds a plug-in; registering the same plug-in again is a no-op. */
  register(plugin: ProviderPlugin): this {
    const current = this.plugins.get(plugin.provider);
    if (current === plugin) return this;
    if (current) throw new BackfillError(PROVIDER_PLUGIN_CONFLICT, `another plug-in for provider ${plugin.provider} is registered`);
    const taken = (map: Map<string, unknown>, names: string[]) => names.find((name) => map.has(name));
    const normalizerNames = Object.keys(plugin.hostNormalizers ?? {});
    const verifierNames = Object.keys(plugin.callbackVerifiers ?? {});
    const clash = taken(this.normalizers, normalizerNames) ?? taken(this.verifiers, verifierNames);
    if (clash) throw new BackfillError(PROVIDER_PLUGIN_CONFLICT, `${clash} is already registered by another provider plug-in`);
    this.plugins.set(plugin.provider, plugin);
    for (const name of normalizerNames) this.normalizers.set(name, plugin.hostNormalizers![name]!);
    for (const name of verifierNames) this.verifiers.set(name, plugin.callbackVerifiers![name]!);
    return this;
  }

  hostNormalizer(name: string): HostNormalizer | undefined {
    return this.normalizers.get(name);
  }

  callbackVerifier(name: string): CallbackVerifier | undefined {
    return this.verifiers.get(name);
  }

  hostNormalizerNames(): string[] {
    return [...this.normalizers.keys()];
  }

  callbackVerifierNames(): string[] {
    return [...this.verifiers.keys()];
  }

  tokenMigration(provider: string | undefined): TokenMigration | undefined {
    return provider === undefined ? undefined : this.plugins.get(provider)?.tokenMigration;
  }

  /** The scope in the merchant's words, or the scope itself when no plug-in describes it. */
  describeScope(provider: string | undefined, scope: string): string {
    return (provider === undefined ? undefined : this.plugins.get(provider)?.scopeDescriptions?.[scope]) ?? scope;
  }

  tokenPatterns(): TokenPattern[] {
    return [...this.plugins.values()].flatMap((p) => p.tokenPatterns ?? []);
  }
}
