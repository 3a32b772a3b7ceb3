// POST /sync/orders: one step of the orders stream: a page, or a step of a bulk pass (src/lib/bulk).
import { api } from "@backfill-io/sdk";
import { syncStream } from "../../lib/bulk/choose.js";
import { ordersStream } from "../../lib/streams.js";

export const config = { auth: "api_key" };

// The host attaches the token to each Admin call and answers 401 reauth_required when it
// cannot (no token, missing scopes, refresh failed, revoked).
export const POST = api(() => syncStream(ordersStream));
