// The shop-domain normalizer (manifest hostValidation `normalize: "shopifyShopDomain"`):
// what a merchant types or pastes, reduced to `<handle>.myshopify.com` or refused.
import type { HostNormalizer } from "@backfill-io/sdk";

const ACCEPTED =
  "a Shopify shop domain like acme.myshopify.com (also accepted: acme, https://acme.myshopify.com/, admin.shopify.com/store/acme and admin URLs such as https://admin.shopify.com/store/acme/orders)";
const SHOP_HANDLE = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

function reject(value: string, why: string) {
  return { ok: false as const, message: `${JSON.stringify(value)} ${why}; expected ${ACCEPTED}` };
}

/**
 * The shop of a Shopify admin URL (`admin.shopify.com/store/<shop>/...`, what merchants copy
 * from the address bar), or undefined when `rest` (lowercased, scheme removed) is not on
 * admin.shopify.com. Only the /store/<shop> segment counts; the rest of the path, the query
 * and the fragment are the admin page the merchant was on.
 */
function adminUrlHandle(rest: string): { ok: true; handle: string } | { ok: false; why: string } | undefined {
  const authorityEnd = rest.search(/[/?#]/);
  const authority = authorityEnd === -1 ? rest : rest.slice(0, authorityEnd);
  if (authority !== "admin.shopify.com") return undefined;
  const store = /^\/store\/([^/?#]+)(?:[/?#]|$)/.exec(rest.slice(authority.length));
  if (!store) return { ok: false, why: "is a Shopify admin URL without /store/<shop>" };
  return { ok: true, handle: store[1]! };
}

/** Normalizes what a merchant types into `<handle>.myshopify.com`, or says why not. */
export const shopifyShopDomain: HostNormalizer = (input) => {
  if (typeof input !== "string") return reject(String(input), "is not a string");
  const value = input.trim();
  if (!value) return reject(input, "is empty");
  // Look-alike unicode, control characters and spaces are refused before any parsing.
  if (/[^\x21-\x7e]/.test(value)) return reject(input, "contains characters other than letters, digits, '-', '.' and '/'");
  let rest = value.toLowerCase();
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//.exec(rest);
  if (scheme) {
    if (scheme[1] !== "https" && scheme[1] !== "http") return reject(input, `uses the scheme ${scheme[1]}`);
    rest = rest.slice(scheme[0].length);
  }
  if (rest.includes("@")) return reject(input, "contains userinfo (@)");
  if (rest.includes("\\")) return reject(input, "contains a backslash");
  const admin = adminUrlHandle(rest);
  if (admin && !admin.ok) return reject(input, admin.why);
  let handle: string;
  if (admin) {
    handle = admin.handle;
  } else {
    if (/[?#%]/.test(rest)) return reject(input, "contains a query, fragment or escape");
    if (rest.endsWith("/")) rest = rest.slice(0, -1);
    if (rest.includes("/")) return reject(input, "contains a path");
    if (rest.startsWith("[") || rest.includes(":")) return reject(input, "contains a port or an IPv6 address");
    if (rest.endsWith(".")) return reject(input, "ends with a dot");
    const labels = rest.split(".");
    if (labels.some((l) => l === "")) return reject(input, "has an empty label");
    if (labels.every((l) => /^\d+$/.test(l))) return reject(input, "is an IP address");
    if (labels.length === 1) handle = labels[0]!;
    else if (labels.length === 3 && labels[1] === "myshopify" && labels[2] === "com") handle = labels[0]!;
    else return reject(input, "is not a myshopify.com domain");
  }
  if (!SHOP_HANDLE.test(handle)) return reject(input, "is not a valid shop name (letters, digits and inner hyphens)");
  return { ok: true, value: `${handle}.myshopify.com` };
};
