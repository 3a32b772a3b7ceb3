// POST /sync/customers: one page of the customers stream (see src/lib/streams.ts).
import { api } from "@backfill-io/sdk";
import { withProviderAccess } from "@backfill-io/oauth-helpers";
import { syncPage } from "../../lib/sync-stream.js";
import { customersStream } from "../../lib/streams.js";

export const config = { auth: "api_key" };

export const POST = api(withProviderAccess((accessToken) => syncPage(customersStream, accessToken)));
