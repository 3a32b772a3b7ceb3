// A manifest hostValidation rule applied to a setting value: the named normalizer (from
// the registered provider plug-ins), then suffix and allowedHosts.
import type { ProviderRegistry } from "./registry.js";

export type HostValidationInput = { suffix?: string | undefined; allowedHosts?: string[] | undefined; normalize?: string | undefined };

export function applyHostValidation(value: unknown, rule: HostValidationInput, providers: ProviderRegistry): { ok: true; value: string } | { ok: false; message: string } {
  let host = typeof value === "string" ? value.trim().toLowerCase() : "";
  if (rule.normalize) {
    const normalizer = providers.hostNormalizer(rule.normalize);
    if (!normalizer) return { ok: false, message: `unknown normalizer ${rule.normalize}` };
    const result = normalizer(value);
    if (!result.ok) return result;
    host = result.value;
  }
  if (!host || !/^[a-z0-9.-]+$/.test(host) || host.split(".").some((l) => !l)) {
    return { ok: false, message: `${JSON.stringify(value)} is not a host name` };
  }
  if (rule.suffix && !(host.endsWith(rule.suffix) && host.length > rule.suffix.length)) {
    return { ok: false, message: `${host} must end with ${rule.suffix}` };
  }
  if (rule.allowedHosts && !rule.allowedHosts.includes(host)) {
    return { ok: false, message: `${host} must be one of ${rule.allowedHosts.join(", ")}` };
  }
  return { ok: true, value: host };
}
