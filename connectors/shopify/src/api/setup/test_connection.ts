// POST /setup/test_connection (also the postConnect route): proves the token works and
// returns the shop's identity. Reauth (no token, missing scopes) → 401 reauth_required
// with the reason; Shopify rejecting the token → 400 with the status; else 502.
import { api } from "@backfill-io/sdk";
import { withProviderAccess } from "@backfill-io/oauth-helpers";
import { adminGraphql } from "../../lib/admin-api.js";
import { SHOP_QUERY } from "../../lib/documents.js";
import { shopifyFailureResponse } from "../../lib/provider-failure.js";

export const config = { auth: "api_key" };

type ShopData = { shop: { id: string; name: string; myshopifyDomain: string; currencyCode: string } };

export const POST = api(
  withProviderAccess((accessToken) => {
    const result = adminGraphql<ShopData>(SHOP_QUERY, {}, { accessToken });
    if (result.kind !== "data") return shopifyFailureResponse(result, undefined, { tokenRejected: "bad_request" });
    const { shop } = result.data;
    return api.json({
      ok: true,
      providerAccountId: shop.id,
      providerAccountName: shop.name,
      providerAccountDomain: shop.myshopifyDomain,
      currency: shop.currencyCode,
    });
  }),
);
