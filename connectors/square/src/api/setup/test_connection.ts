// postConnect / testConnection: proves the token works and names the Square account
// (RetrieveMerchant "me", then its main location). Failures are told apart as in the
// Shopify connector: no usable token (none, missing scopes, refresh failed) → 401
// reauth_required with the reason; Square rejecting the token (401/403) → 400 carrying
// Square's status, never the token; rate limited → the retry signal; anything else → 502.
import { api, isReauthRequired } from "@backfill-io/sdk";
import { SQUARE_HOSTS } from "../../provider/index.js";
import { missingProviderAccessResponse } from "@backfill-io/oauth-helpers";
import { squareGet, squareHost } from "../../lib/square-client.js";
import { isSquareApiError } from "../../lib/square-errors.js";
import type { SquareLocation, SquareMerchant } from "../../lib/square-types.js";

export const config = { auth: "api_key" };

export const POST = api(async () => {
  try {
    const { merchant } = squareGet<{ merchant?: SquareMerchant }>("/v2/merchants/me");
    if (!merchant?.id) return api.badRequest("Square returned no merchant for this token");
    let mainLocation: SquareLocation | undefined;
    if (merchant.main_location_id) {
      mainLocation = squareGet<{ location?: SquareLocation }>(`/v2/locations/${encodeURIComponent(merchant.main_location_id)}`).location;
    }
    return api.json({
      ok: true,
      providerAccountId: merchant.id,
      providerAccountName: merchant.business_name ?? mainLocation?.business_name ?? null,
      providerAccountCountry: merchant.country ?? null,
      providerAccountCurrency: merchant.currency ?? null,
      environment: squareHost() === SQUARE_HOSTS.sandbox ? "sandbox" : "production",
      mainLocation: mainLocation
        ? { id: mainLocation.id, name: mainLocation.name ?? null, currency: mainLocation.currency ?? null, timezone: mainLocation.timezone ?? null, status: mainLocation.status ?? null }
        : null,
    });
  } catch (error) {
    if (isReauthRequired(error)) return missingProviderAccessResponse(error);
    if (isSquareApiError(error)) {
      if (error.kind === "unauthorized" || error.kind === "forbidden") {
        return api.badRequest("Square rejected the OAuth token", error.toDetails());
      }
      if (error.kind === "rate_limited") return api.retryAfter(error.retryAfterSeconds ?? 1, "Square rate limit (RATE_LIMITED)");
      return api.error("Square could not return the merchant profile", { status: 502, code: "provider_error", details: error.toDetails() });
    }
    throw error;
  }
});
