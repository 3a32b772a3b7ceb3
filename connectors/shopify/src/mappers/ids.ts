// Idempotency keys from Shopify's stable GIDs (never a page index), and GIDs from the
// numeric ids webhook payloads carry.
export const customerKey = (gid: string) => `shopify:customer:${gid}`;
export const orderKey = (gid: string) => `shopify:order:${gid}`;
export const refundKey = (gid: string) => `shopify:refund:${gid}`;

export type GidType = "Customer" | "Order" | "Refund";

/** `gid://shopify/Order/1` from a payload's numeric id (or its admin_graphql_api_id). */
export function shopifyGid(type: GidType, id: unknown): string | null {
  if (typeof id === "string" && id.startsWith(`gid://shopify/${type}/`)) return id;
  if ((typeof id === "number" && Number.isSafeInteger(id) && id > 0) || (typeof id === "string" && /^\d+$/.test(id))) {
    return `gid://shopify/${type}/${String(id)}`;
  }
  return null;
}
