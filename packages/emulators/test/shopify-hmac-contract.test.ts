// The OAuth callback HMAC, judged by Shopify's own library: @shopify/shopify-api's
// utils.validateHmac forms the message with URLSearchParams over the sorted query without
// `hmac`. Random parameter values (spaces, &, =, +, %, quotes, any unicode) must validate the
// same way for the emulator's signed redirect and for the Shopify plug-in's signer and verifier.
import { shopifyLibrary as shopify } from "./shopify-library.js";
import { shopifyCallbackHmac, shopifyProviderPlugin } from "@backfill-io/connector-shopify/provider";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningShopifyEmulator } from "../src/shopify/index.js";
import { CLIENT_ID, CLIENT_SECRET, REDIRECT_URI, shopFetch, start } from "./shopify-helpers.js";

/** Any text, including what URL encodings disagree on: space, + ! ' ( ) ~ * % & = and unicode. */
const anyValue = fc.oneof(
  fc.string({ unit: "grapheme", maxLength: 24 }),
  fc.string({ unit: fc.constantFrom(" ", "+", "!", "'", "(", ")", "~", "*", "%", "&", "=", "#", "/", "é", "ü"), maxLength: 12 }),
);

let emulator: RunningShopifyEmulator;
beforeAll(async () => {
  // The library checks the timestamp against the real clock.
  emulator = await start({ autoApprove: true, customers: 1, orders: 1 });
});
afterAll(async () => {
  await emulator.close();
});

describe("the callback HMAC as @shopify/shopify-api validates it", () => {
  it("the emulator's signed redirect validates for any state value", async () => {
    await fc.assert(
      fc.asyncProperty(anyValue, async (state) => {
        const params = new URLSearchParams({ client_id: CLIENT_ID, scope: "read_orders", redirect_uri: REDIRECT_URI, state });
        const response = await shopFetch(emulator, "acme", `/admin/oauth/authorize?${params.toString()}`);
        const query = Object.fromEntries(new URL(response.headers.get("location") ?? "").searchParams);
        expect(query.state).toBe(state);
        expect(await shopify.utils.validateHmac(query)).toBe(true);
      }),
      { numRuns: 60 },
    );
  });

  it("the SDK signs what the library accepts, and its verifier accepts exactly that", async () => {
    const verify = shopifyProviderPlugin.callbackVerifiers!.shopifyHmac!;
    await fc.assert(
      fc.asyncProperty(fc.dictionary(fc.stringMatching(/^[a-z][a-z_]{0,8}$/), anyValue, { maxKeys: 4 }), anyValue, async (extra, state) => {
        const query: Record<string, string> = {
          ...extra,
          code: "c0de",
          shop: "acme.myshopify.com",
          state,
          timestamp: String(Math.floor(Date.now() / 1000)),
        };
        delete query.hmac;
        delete query.signature;
        const signed = { ...query, hmac: shopifyCallbackHmac(query, CLIENT_SECRET) };
        expect(await shopify.utils.validateHmac(signed)).toBe(true);
        expect(verify(signed, { clientSecret: CLIENT_SECRET, settings: { shop_domain: "acme.myshopify.com" }, now: Date.now() })).toEqual({ ok: true });
      }),
      { numRuns: 200 },
    );
  });
});
