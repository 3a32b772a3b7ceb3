// The guide's Shopify postConnect route (trimmed), used by the host's OAuth tests.
import { OAuth, api, Http, Settings } from "@backfill-io/sdk";

export const config = { auth: "api_key" };

export const POST = api(async () => {
  const shopDomain = Settings.get("shop_domain");
  const accessToken = OAuth.accessToken({ minTtlSeconds: 60 });
  const response = Http.post<{ data: { shop: { id: string; name: string; myshopifyDomain: string } } }>(
    `https://${shopDomain}/admin/api/2026-04/graphql.json`,
    { query: "{ shop { id name myshopifyDomain } }" },
    { headers: { "X-Shopify-Access-Token": accessToken } },
  );
  if (!response.ok) return api.badRequest("Shopify rejected the OAuth token", { status: response.status });
  const shop = response.body.data.shop;
  return api.json({ ok: true, providerAccountId: shop.id, providerAccountName: shop.name, providerAccountDomain: shop.myshopifyDomain });
});
