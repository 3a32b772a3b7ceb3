// The provider plug-in registry: explicit registration, one owner per name, and the
// registered plug-ins are what settings validation and the redactor use.
import { describe, expect, it } from "vitest";
import {
  defineConnector,
  defineProviderPlugin,
  exportedProviderPlugin,
  ProviderRegistry,
  Redactor,
  runningFromSource,
  PROVIDER_PLUGIN_CONFLICT,
  PROVIDER_PLUGIN_INVALID,
} from "../src/index.js";
import { validateSettings } from "../src/policy/index.js";
import { genericOAuthManifest } from "./guide-manifests.js";

const acme = defineProviderPlugin({
  provider: "acme",
  hostNormalizers: { acmeTenant: (v) => (typeof v === "string" && /^[a-z]+$/.test(v) ? { ok: true, value: `${v}.acme.example` } : { ok: false, message: "not a tenant" }) },
  callbackVerifiers: { acmeSignature: () => ({ ok: true }) },
  tokenPatterns: [{ pattern: /\bacme_[a-z0-9]{8,}/g, replacement: "acme_[REDACTED]" }],
  scopeDescriptions: { "orders:read": "Read your orders" },
});

describe("ProviderRegistry", () => {
  it("resolves what a registered plug-in names, and nothing before it is registered", () => {
    const registry = new ProviderRegistry();
    expect(registry.hostNormalizer("acmeTenant")).toBeUndefined();
    registry.register(acme);
    expect(registry.hostNormalizer("acmeTenant")?.("shop")).toEqual({ ok: true, value: "shop.acme.example" });
    expect(registry.callbackVerifier("acmeSignature")).toBeDefined();
    expect(registry.describeScope("acme", "orders:read")).toBe("Read your orders");
    expect(registry.describeScope("acme", "other")).toBe("other");
    expect(registry.tokenMigration("acme")).toBeUndefined();
  });

  it("registering the same plug-in twice is a no-op; another plug-in cannot take its names", () => {
    const registry = new ProviderRegistry([acme]).register(acme);
    const impostor = defineProviderPlugin({ provider: "evil", callbackVerifiers: { acmeSignature: () => ({ ok: true }) } });
    expect(() => registry.register(impostor)).toThrow(expect.objectContaining({ code: PROVIDER_PLUGIN_CONFLICT }));
    expect(() => registry.register(defineProviderPlugin({ provider: "acme" }))).toThrow(expect.objectContaining({ code: PROVIDER_PLUGIN_CONFLICT }));
    expect(registry.callbackVerifier("acmeSignature")).toBe(acme.callbackVerifiers!.acmeSignature);
  });

  it("defineProviderPlugin refuses a pattern that would replace only its first match, and bad names", () => {
    expect(() => defineProviderPlugin({ provider: "acme", tokenPatterns: [{ pattern: /acme_x/, replacement: "" }] })).toThrow(
      expect.objectContaining({ code: PROVIDER_PLUGIN_INVALID }),
    );
    expect(() => defineProviderPlugin({ provider: "no spaces" })).toThrow(expect.objectContaining({ code: PROVIDER_PLUGIN_INVALID }));
  });

  it("exportedProviderPlugin reads a manifest module's providerPlugin export", () => {
    expect(exportedProviderPlugin({ default: {}, providerPlugin: acme })).toBe(acme);
    expect(exportedProviderPlugin({ default: {} })).toBeUndefined();
    expect(() => exportedProviderPlugin({ providerPlugin: "acme" })).toThrow(expect.objectContaining({ code: PROVIDER_PLUGIN_INVALID }));
  });
});

describe("settings validation uses the registered normalizers", () => {
  const manifest = defineConnector({
    ...genericOAuthManifest,
    connection: {
      oauth: {
        type: "authorization_code",
        authorizationUrlTemplate: "https://{settings.tenant}/authorize",
        tokenUrlTemplate: "https://{settings.tenant}/token",
        client: { credentialKey: "acme_app" },
        requiredSettings: ["tenant"],
        hostValidation: { tenant: { normalize: "acmeTenant" } },
      },
      settingsSchema: { required: ["tenant"], properties: { tenant: { type: "string" } } },
    },
  });

  it("without the plug-in the normalizer is unknown; with it the value is normalized", () => {
    expect(validateSettings(manifest, { tenant: "shop" })).toMatchObject({ ok: false, problems: [{ setting: "tenant", message: "unknown normalizer acmeTenant" }] });
    expect(validateSettings(manifest, { tenant: "shop" }, { providers: new ProviderRegistry([acme]) })).toEqual({ ok: true, settings: { tenant: "shop.acme.example" } });
    expect(validateSettings(manifest, { tenant: "Evil/x" }, { providers: new ProviderRegistry([acme]) })).toMatchObject({
      ok: false,
      problems: [{ setting: "tenant", message: "not a tenant" }],
    });
  });
});

describe("Redactor.addTokenPatterns", () => {
  it("a provider's token shape is scrubbed only once its plug-in's patterns are added", () => {
    const r = new Redactor();
    const line = "failed with acme_0123456789abcdef";
    expect(r.redactString(line)).toBe(line);
    r.addTokenPatterns(acme.tokenPatterns!);
    r.addTokenPatterns(acme.tokenPatterns!);
    expect(r.redactString(line)).toBe("failed with acme_[REDACTED]");
  });
});

describe("runningFromSource (the one answer to 'running from TypeScript source?')", () => {
  it("is about a module's own file: .ts source or built .js", () => {
    expect(runningFromSource("file:///repo/packages/host/src/runner/pool.ts")).toBe(true);
    expect(runningFromSource("file:///repo/packages/host/dist/runner/pool.js")).toBe(false);
    // Under vitest the SDK itself is loaded from its source (the `source` condition).
    expect(runningFromSource()).toBe(true);
  });
});
