// Acme's provider plug-in (a fixture provider the SDK, host and CLI know nothing about):
// a tenant-host normalizer, a callback signature verifier, its token shape, scope words.
import { createHmac } from "node:crypto";
import { defineProviderPlugin, REDACTED, type CallbackVerifier, type HostNormalizer } from "@backfill-io/sdk";
import { timingSafeEqualText } from "@backfill-io/sdk/policy";

/** `Globex` → `globex.acme.example`: each Acme customer has a tenant host. */
export const acmeTenantHost: HostNormalizer = (value) => {
  const tenant = typeof value === "string" ? value.trim().toLowerCase() : "";
  if (!/^[a-z][a-z0-9-]{0,30}$/.test(tenant)) return { ok: false, message: `${JSON.stringify(value)} is not an Acme tenant name` };
  return { ok: true, value: `${tenant}.acme.example` };
};

/** What Acme signs on its callback: the code, the state and the tenant host, with the app's secret. */
export function acmeCallbackSignature(query: Record<string, string>, clientSecret: string): string {
  return createHmac("sha256", clientSecret)
    .update(`${query.code ?? ""}|${query.state ?? ""}|${query.tenant ?? ""}`)
    .digest("base64url");
}

export const acmeSignature: CallbackVerifier = (query, ctx) => {
  const signature = query.acme_signature;
  if (!signature) return { ok: false, code: "missing_signature", message: "the Acme callback is not signed" };
  if (!timingSafeEqualText(signature, acmeCallbackSignature(query, ctx.clientSecret))) {
    return { ok: false, code: "bad_signature", message: "the Acme callback signature does not match" };
  }
  if (query.tenant !== ctx.settings.tenant) return { ok: false, code: "tenant_mismatch", message: "the Acme callback names another tenant" };
  return { ok: true };
};

export const acmeProviderPlugin = defineProviderPlugin({
  provider: "acme",
  hostNormalizers: { acmeTenantHost },
  callbackVerifiers: { acmeSignature },
  tokenPatterns: [{ pattern: /\bacme_(at|rt)_[A-Za-z0-9]{8,}/g, replacement: (_m, kind: string) => `acme_${kind}_${REDACTED}` }],
  scopeDescriptions: { "orders:read": "Read your Acme orders" },
});
