// The owner's guide, section 4, verbatim.
import { OAuth, api } from "@backfill-io/sdk";

export function providerAccessToken() {
  try {
    return OAuth.accessToken({ minTtlSeconds: 600 });
  } catch (error) {
    if (
      error &&
      typeof error === "object" &&
      (error as { code?: string }).code === "reauth_required"
    ) {
      return null;
    }

    throw error;
  }
}

export function missingProviderAccessResponse() {
  return api.error("OAuth connection is not authorized", { status: 401 });
}
