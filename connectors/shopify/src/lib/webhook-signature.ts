// Shopify webhook signatures: X-Shopify-Hmac-Sha256 is the base64 HMAC-SHA256 of the raw
// body, keyed with the app's client secret (or, for webhooks made in the Shopify admin,
// the store's webhook signing secret). Compared in constant time, on the decoded bytes.
import { createHmac, timingSafeEqual } from "node:crypto";

export type SignatureCheck = { ok: true } | { ok: false; reason: "missing_signature" | "malformed_signature" | "no_secret" | "bad_signature" };

export function shopifyWebhookHmac(rawBody: string, secret: string): string {
  return createHmac("sha256", secret).update(rawBody, "utf8").digest("base64");
}

export function verifyShopifyWebhook(rawBody: string, header: string | undefined, secret: string | undefined): SignatureCheck {
  if (!header) return { ok: false, reason: "missing_signature" };
  if (!secret) return { ok: false, reason: "no_secret" };
  if (!/^[A-Za-z0-9+/]{43}=$/.test(header.trim())) return { ok: false, reason: "malformed_signature" };
  const given = Buffer.from(header.trim(), "base64");
  const expected = createHmac("sha256", secret).update(rawBody, "utf8").digest();
  return given.length === expected.length && timingSafeEqual(given, expected) ? { ok: true } : { ok: false, reason: "bad_signature" };
}
