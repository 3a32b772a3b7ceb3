// Shopify webhook signatures: X-Shopify-Hmac-Sha256 is the base64 HMAC-SHA256 of the raw
// body bytes, keyed with the app's client secret (app webhooks) or, for webhooks made in
// the Shopify admin, the store's webhook signing secret. Computed over the bytes as
// received (never a decoded string: a BOM or a non-UTF-8 byte would not survive), and
// compared in constant time against every key the topic may be signed with.
import { createHmac, timingSafeEqual } from "node:crypto";

export type SignatureCheck = { ok: true } | { ok: false; reason: "missing_signature" | "malformed_signature" | "no_secret" | "bad_signature" };

/** True when `header` is the signature of `body` under one of `secrets` (unset ones skipped). */
export function verifyShopifyWebhook(body: Uint8Array, header: string | undefined, secrets: readonly (string | undefined)[]): SignatureCheck {
  if (!header) return { ok: false, reason: "missing_signature" };
  const keys = secrets.filter((s): s is string => !!s);
  if (!keys.length) return { ok: false, reason: "no_secret" };
  if (!/^[A-Za-z0-9+/]{43}=$/.test(header.trim())) return { ok: false, reason: "malformed_signature" };
  const given = Buffer.from(header.trim(), "base64");
  // Every key is tried, so the time taken does not say which one matched.
  let matched = false;
  for (const key of keys) {
    const expected = createHmac("sha256", key).update(body).digest();
    if (given.length === expected.length && timingSafeEqual(given, expected)) matched = true;
  }
  return matched ? { ok: true } : { ok: false, reason: "bad_signature" };
}
