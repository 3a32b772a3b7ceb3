// Named normalizers and callback verifiers a manifest can refer to by name.
import { shopifyCallbackVerifier, shopifyShopDomain } from "./shopify.js";
import { squareEnvironmentHost } from "./square.js";
import type { CallbackVerifier, HostNormalizer } from "./types.js";

export const HOST_NORMALIZERS: Record<string, HostNormalizer> = {
  shopifyShopDomain,
  squareEnvironmentHost,
};

export const CALLBACK_VERIFIERS: Record<string, CallbackVerifier> = {
  shopifyHmac: shopifyCallbackVerifier,
};

/** Applies a hostValidation rule to a setting value: normalize, then suffix and allowedHosts. */
export function applyHostValidation(
  value: unknown,
  rule: { suffix?: string | undefined; allowedHosts?: string[] | undefined; normalize?: string | undefined },
): { ok: true; value: string } | { ok: false; message: string } {
  let host = typeof value === "string" ? value.trim().toLowerCase() : "";
  if (rule.normalize) {
    const normalizer = HOST_NORMALIZERS[rule.normalize];
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
