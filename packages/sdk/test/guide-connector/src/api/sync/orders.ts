// The owner's guide, section 4, verbatim.
import { api, ingest } from "@backfill-io/sdk";
import {
  missingProviderAccessResponse,
  providerAccessToken,
} from "../../lib/provider";

export const config = { auth: "api_key" };

export const POST = api(async () => {
  const accessToken = providerAccessToken();

  if (!accessToken) {
    return missingProviderAccessResponse();
  }

  // Fetch one page, transform records, and emit canonical payloads.
  const payloads = [
    {
      receipt_id: "provider-order-123",
      customer_id: "provider-customer-123",
      total: "42.00",
      currency: "USD",
    },
  ];

  const result = ingest.batch("sales_receipt", payloads, {
    stream: "orders",
    continueOnError: true,
    idempotencyKey: (_payload, index) => `provider:order:${index}`,
  });

  return api.json(result);
});
