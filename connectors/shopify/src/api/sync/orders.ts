// POST /sync/orders: one page of the orders stream (see src/lib/streams.ts).
import { api } from "@backfill-io/sdk";
import { withProviderAccess } from "@backfill-io/oauth-helpers";
import { syncPage } from "../../lib/sync-stream.js";
import { ordersStream } from "../../lib/streams.js";

export const config = { auth: "api_key" };

export const POST = api(withProviderAccess((accessToken) => syncPage(ordersStream, accessToken)));
