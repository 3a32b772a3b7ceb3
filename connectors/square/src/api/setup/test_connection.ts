// postConnect / testConnection: proves the token works and names the Square account
// (RetrieveMerchant "me", then its main location). Failures are told apart as in the
// Shopify connector: no usable token (none, missing scopes, refresh failed) → 401
// reauth_required with the reason; Square rejecting the token (401/403) → 400 carrying
// Square's status, never the token; rate limited → the retry signal; anything else → 502.
import { api } from "@backfill-io/sdk";
import { thrownFailureResponse } from "@backfill-io/oauth-helpers";
import { SQUARE_HOSTS } from "../../provider/index.js";
import { squareGet, squareHost } from "../../lib/square-client.js";
import { squareFailure } from "../../lib/square-failure.js";
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
        ? {
            id: mainLocation.id,
            name: mainLocation.name ?? null,
            currency: mainLocation.currency ?? null,
            timezone: mainLocation.timezone ?? null,
            status: mainLocation.status ?? null,
          }
        : null,
    });
  } catch (error) {
    return thrownFailureResponse(error, squareFailure, { tokenRejected: "bad_request" });
  }
});
