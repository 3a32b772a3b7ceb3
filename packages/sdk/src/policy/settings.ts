// Connection settings: checked against the manifest's settingsSchema (ajv) and its
// hostValidation rules, then normalized. Used by the host before OAuth start and by
// the test runtime, so a bad setting fails the same way in both.
import { createRequire } from "node:module";
import type { Ajv } from "ajv";
import type { ConnectorManifest } from "../manifest/schema.js";
import { applyHostValidation } from "../providers/host-validation.js";
import { ProviderRegistry } from "../providers/registry.js";

export type SettingsProblem = { setting: string; message: string };

let ajv: Ajv | undefined;
/**
 * ajv loads on the first validation, not with the policy: every route worker imports the
 * policy and never validates settings, and loading ajv was a fifth of a worker's start.
 */
const loadAjv = (): typeof Ajv => (createRequire(import.meta.url)("ajv") as { Ajv: typeof Ajv }).Ajv;
/** Compiled once per settings schema: compiling on every call grew the heap without bound. */
const compiled = new WeakMap<object, ReturnType<Ajv["compile"]>>();

const NO_PROVIDERS = new ProviderRegistry();

export function validateSettings(
  manifest: ConnectorManifest,
  settings: Record<string, unknown>,
  opts: { requireOAuthSettings?: boolean; /** The plug-ins whose normalizers hostValidation rules name. */ providers?: ProviderRegistry } = {},
): { ok: true; settings: Record<string, unknown> } | { ok: false; problems: SettingsProblem[] } {
  // useDefaults: a setting left out takes the schema default (e.g. a provider environment: production).
  ajv ??= new (loadAjv())({ allErrors: true, strict: false, useDefaults: true });
  const schema = manifest.connection.settingsSchema;
  const problems: SettingsProblem[] = [];
  let validate = compiled.get(schema);
  if (!validate) {
    validate = ajv.compile({ ...schema, type: "object" });
    compiled.set(schema, validate);
  }
  const out: Record<string, unknown> = structuredClone(settings);
  if (!validate(out)) {
    for (const e of validate.errors ?? []) {
      const setting = e.instancePath.replace(/^\//, "") || String((e.params as { missingProperty?: string }).missingProperty ?? "");
      problems.push({ setting, message: e.keyword === "required" ? "is required" : (e.message ?? "is invalid") });
    }
  }
  const oauth = manifest.connection.oauth;
  if (oauth && opts.requireOAuthSettings) {
    for (const name of oauth.requiredSettings) {
      if (out[name] === undefined || out[name] === "") problems.push({ setting: name, message: "is required before OAuth can start" });
    }
  }
  const providers = opts.providers ?? NO_PROVIDERS;
  for (const [name, rule] of Object.entries(oauth?.hostValidation ?? {})) {
    if (out[name] === undefined || out[name] === "") continue;
    const result = applyHostValidation(out[name], rule, providers);
    if (result.ok) out[name] = result.value;
    else problems.push({ setting: name, message: result.message });
  }
  return problems.length ? { ok: false, problems } : { ok: true, settings: out };
}

/** The edit distance of two short names (for "did you mean"). */
function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) row[j] = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = row;
  }
  return prev[b.length]!;
}

export type UnknownSetting = { name: string; suggestion: string | undefined };

/**
 * The names that are not settings of the manifest (its settingsSchema's properties), each
 * with the closest real name when one is near. A typo or a smuggled parameter (state,
 * redirect_uri) must be refused, not stored.
 */
export function unknownSettings(manifest: ConnectorManifest, names: readonly string[]): UnknownSetting[] {
  const known = Object.keys(manifest.connection.settingsSchema.properties ?? {});
  return names
    .filter((name) => !known.includes(name))
    .map((name) => {
      const best = known.map((k) => ({ k, d: editDistance(name.toLowerCase(), k) })).sort((x, y) => x.d - y.d)[0];
      return { name, suggestion: best && best.d <= Math.max(2, Math.floor(name.length / 3)) ? best.k : undefined };
    });
}
