// Legacy non-expiring offline tokens → expiring ones, through Shopify's token-exchange
// grant (RFC 8693), without the merchant reinstalling the app (`backfill connections migrate-tokens`).
import type { TokenMigration } from "@backfill-io/sdk";

export const TOKEN_EXCHANGE_GRANT = "urn:ietf:params:oauth:grant-type:token-exchange";
export const SHOPIFY_OFFLINE_TOKEN_TYPE = "urn:shopify:params:oauth:token-type:offline-access-token";

export const shopifyTokenExchange: TokenMigration = {
  // A token that expires or comes with a refresh token is already the new kind.
  skipReason: (token) => (token.expiresAt !== null || token.hasRefreshToken ? "already expiring" : undefined),
  requestParams: (accessToken) => ({
    grant_type: TOKEN_EXCHANGE_GRANT,
    subject_token: accessToken,
    subject_token_type: SHOPIFY_OFFLINE_TOKEN_TYPE,
    requested_token_type: SHOPIFY_OFFLINE_TOKEN_TYPE,
    expiring: "1",
  }),
};
