// The OAuth callback verifier (manifest `callbackVerifiers: ["shopifyHmac"]`): Shopify signs
// the callback query with the app's client secret; the host runs this before it spends the code.
import { createHmac } from "node:crypto";
import { timingSafeEqualText, type CallbackVerifier } from "@backfill-io/sdk";
import { shopifyShopDomain } from "./shop-domain.js";

/**
 * Shopify's OAuth message as its libraries form it (@shopify/shopify-api's ProcessedQuery):
 * the query without hmac/signature, keys sorted, serialized by URLSearchParams (form
 * encoding: a space is `+`, `!'()~` are escaped), so any state value verifies.
 */
export function shopifyCallbackMessage(query: Record<string, string>): string {
  const message = new URLSearchParams();
  for (const key of Object.keys(query).sort()) {
    if (key !== "hmac" && key !== "signature") message.append(key, query[key]!);
  }
  return message.toString();
}

export function shopifyCallbackHmac(query: Record<string, string>, clientSecret: string): string {
  return createHmac("sha256", clientSecret).update(shopifyCallbackMessage(query)).digest("hex");
}

const MAX_CLOCK_SKEW_SECONDS = 90;

/** Verifies the callback's hmac, its timestamp (±90 s) and that `shop` is the connection's shop. */
export const shopifyCallbackVerifier: CallbackVerifier = (query, ctx) => {
  const hmac = query.hmac;
  if (!hmac) return { ok: false, code: "missing_hmac", message: "Shopify callback has no hmac parameter" };
  const expected = shopifyCallbackHmac(query, ctx.clientSecret);
  if (!/^[0-9a-f]{64}$/i.test(hmac) || !timingSafeEqualText(hmac.toLowerCase(), expected)) {
    return { ok: false, code: "invalid_hmac", message: "Shopify callback hmac does not match (signed with another client secret, or the query was altered)" };
  }
  const timestamp = Number(query.timestamp);
  if (!Number.isFinite(timestamp) || Math.abs(ctx.now / 1000 - timestamp) > MAX_CLOCK_SKEW_SECONDS) {
    return { ok: false, code: "stale_timestamp", message: `Shopify callback timestamp is missing or more than ${MAX_CLOCK_SKEW_SECONDS}s from now` };
  }
  const shop = shopifyShopDomain(query.shop ?? "");
  const expectedShop = ctx.settings.shop_domain;
  if (!shop.ok || shop.value !== expectedShop) {
    return { ok: false, code: "shop_mismatch", message: `Shopify callback shop does not match the connection's shop ${String(expectedShop)}` };
  }
  return { ok: true };
};
