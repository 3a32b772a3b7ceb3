// Connection settings: checked against the manifest's settingsSchema (ajv) and its
// hostValidation rules, then normalized. Used by the host before OAuth start and by
// the test runtime, so a bad setting fails the same way in both.
import { Ajv } from "ajv";
import type { ConnectorManifest } from "../manifest/schema.js";
import { applyHostValidation } from "../providers/registry.js";

export type SettingsProblem = { setting: string; message: string };

let ajv: Ajv | undefined;

export function validateSettings(
  manifest: ConnectorManifest,
  settings: Record<string, unknown>,
  opts: { requireOAuthSettings?: boolean } = {},
): { ok: true; settings: Record<string, unknown> } | { ok: false; problems: SettingsProblem[] } {
  // useDefaults: a setting left out takes the schema default (e.g. Square environment: production).
  ajv ??= new Ajv({ allErrors: true, strict: false, useDefaults: true });
  const schema = manifest.connection.settingsSchema;
  const problems: SettingsProblem[] = [];
  const validate = ajv.compile({ ...schema, type: "object" });
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
  for (const [name, rule] of Object.entries(oauth?.hostValidation ?? {})) {
    if (out[name] === undefined || out[name] === "") continue;
    const result = applyHostValidation(out[name], rule);
    if (result.ok) out[name] = result.value;
    else problems.push({ setting: name, message: result.message });
  }
  return problems.length ? { ok: false, problems } : { ok: true, settings: out };
}
