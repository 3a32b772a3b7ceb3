// POST /sync/refunds: one page of the refunds stream (see src/lib/streams.ts).
import { api } from "@backfill-io/sdk";
import { syncPage } from "../../lib/sync-stream.js";
import { refundsStream } from "../../lib/streams.js";

export const config = { auth: "api_key" };

// The host attaches the token to each Admin call and answers 401 reauth_required when it
// cannot (no token, missing scopes, refresh failed, revoked).
export const POST = api(() => syncPage(refundsStream));
