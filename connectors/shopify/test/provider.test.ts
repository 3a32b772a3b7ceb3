import { describe, expect, it } from "vitest";
import { Redactor } from "@backfill-io/sdk";
import { shopifyCallbackHmac, shopifyProviderPlugin, shopifyShopDomain } from "../src/provider/index.js";

describe("shopifyShopDomain", () => {
  it.each([
    ["acme", "acme.myshopify.com"],
    ["acme.myshopify.com", "acme.myshopify.com"],
    ["https://acme.myshopify.com/", "acme.myshopify.com"],
    ["http://acme.myshopify.com", "acme.myshopify.com"],
    ["admin.shopify.com/store/acme", "acme.myshopify.com"],
    ["https://admin.shopify.com/store/acme/", "acme.myshopify.com"],
    ["ACME.MyShopify.COM", "acme.myshopify.com"],
    ["  acme-2.myshopify.com ", "acme-2.myshopify.com"],
    // Admin URLs merchants copy from the browser's address bar: the shop is the /store/<shop> segment.
    ["https://admin.shopify.com/store/acme/orders", "acme.myshopify.com"],
    ["admin.shopify.com/store/acme/orders/5512345", "acme.myshopify.com"],
    ["https://admin.shopify.com/store/acme/products?selectedView=all#top", "acme.myshopify.com"],
    ["https://admin.shopify.com/store/acme?x=1", "acme.myshopify.com"],
  ])("accepts %s", (input, expected) => {
    expect(shopifyShopDomain(input)).toEqual({ ok: true, value: expected });
  });

  it.each([
    "evil.com",
    "acme.myshopify.com.evil.com",
    "evil.com#.myshopify.com",
    "user@acme.myshopify.com",
    "https://user:pw@acme.myshopify.com",
    "acme.myshopify.com:443",
    "127.0.0.1",
    "[::1]",
    "acme.myshopify.com/admin",
    "acme.myshopify.com.",
    "acme..myshopify.com",
    ".myshopify.com",
    "аcme.myshopify.com", // Cyrillic а
    "acme.myshopify.com\u200b",
    "ftp://acme.myshopify.com",
    "-acme.myshopify.com",
    "acme.myshopify.com?x=1",
    "acme%2emyshopify.com",
    "",
    "a.b.myshopify.com",
    "https://admin.shopify.com/orders",
    "https://admin.shopify.com/store/",
    "https://admin.shopify.com/store/ev%69l/orders",
    "https://admin.shopify.com.evil.com/store/acme/orders",
    "https://evil.com/admin.shopify.com/store/acme",
    "https://admin.shopify.com\\@evil.com/store/acme",
  ])("rejects %j and says what is accepted", (input) => {
    const result = shopifyShopDomain(input);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.message).toContain("acme.myshopify.com");
  });

  it("says why a foreign domain is refused", () => {
    expect(shopifyShopDomain("evil.com")).toMatchObject({ ok: false, message: expect.stringContaining("is not a myshopify.com domain") });
    expect(shopifyShopDomain("https://admin.shopify.com/orders")).toMatchObject({ ok: false, message: expect.stringContaining("/store/<shop>") });
  });
});

describe("shopifyHmac callback verifier", () => {
  const secret = "shpss_client_secret_canary";
  const now = Date.parse("2026-11-27T12:00:00Z");
  const base = { code: "abc", shop: "acme.myshopify.com", state: "s1", timestamp: String(now / 1000), host: "YWRtaW4uc2hvcGlmeS5jb20vc3RvcmUvYWNtZQ" };
  const verify = shopifyProviderPlugin.callbackVerifiers!.shopifyHmac!;
  const ctx = { clientSecret: secret, settings: { shop_domain: "acme.myshopify.com" }, now };

  it("accepts a correctly signed callback", () => {
    const query = { ...base, hmac: shopifyCallbackHmac(base, secret) };
    expect(verify(query, ctx)).toEqual({ ok: true });
  });

  it("rejects a wrong hmac, an altered query, a stale timestamp and another shop", () => {
    const signed = { ...base, hmac: shopifyCallbackHmac(base, secret) };
    expect(verify({ ...base, hmac: shopifyCallbackHmac(base, "other") }, ctx)).toMatchObject({ ok: false, code: "invalid_hmac" });
    expect(verify({ ...signed, state: "s2" }, ctx)).toMatchObject({ ok: false, code: "invalid_hmac" });
    expect(verify({ ...base }, ctx)).toMatchObject({ ok: false, code: "missing_hmac" });
    const old = { ...base, timestamp: String(now / 1000 - 91) };
    expect(verify({ ...old, hmac: shopifyCallbackHmac(old, secret) }, ctx)).toMatchObject({ ok: false, code: "stale_timestamp" });
    const other = { ...base, shop: "other.myshopify.com" };
    expect(verify({ ...other, hmac: shopifyCallbackHmac(other, secret) }, ctx)).toMatchObject({ ok: false, code: "shop_mismatch" });
  });

  it("signs the query with keys sorted and percent-encoded, ignoring signature", () => {
    const q = { b: "x y", a: "1&2", signature: "zzz" };
    const withoutSignature = { b: "x y", a: "1&2" };
    expect(shopifyCallbackHmac(q, secret)).toBe(shopifyCallbackHmac(withoutSignature, secret));
  });
});

describe("Shopify token shapes (the plug-in's tokenPatterns)", () => {
  it("a redactor given them scrubs unregistered Shopify tokens", () => {
    const r = new Redactor();
    r.addTokenPatterns(shopifyProviderPlugin.tokenPatterns!);
    const out = r.redactString("shpat_1234567890abcdef shpca_abcdef123456 shppa_abcdef123456 shpua_abcdef123456");
    for (const leaked of ["1234567890abcdef", "abcdef123456"]) expect(out).not.toContain(leaked);
    expect(out).toContain("shpat_[REDACTED]");
  });
});
