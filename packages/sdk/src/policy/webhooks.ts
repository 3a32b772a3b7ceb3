// Webhook delivery ids (Webhooks.alreadyProcessed / markProcessed): what a valid id is and
// how long the host remembers one. Both bindings check ids here, so a route test refuses
// exactly the ids the host refuses.
import { BackfillError } from "../runtime/errors.js";

/** How long a processed delivery id is remembered (providers redeliver for up to 72 hours). */
export const WEBHOOK_DELIVERY_RETENTION_MS = 7 * 24 * 3600_000;

export const MAX_DELIVERY_ID_LENGTH = 256;
export const MAX_DELIVERY_IDS_PER_CALL = 16;

/** The `details.rule` of the invalid_request error a bad delivery id gets. */
export const DELIVERY_ID_RULE = "webhook_delivery_id";

const PRINTABLE_ASCII = /^[\x21-\x7e]+$/;

/** The ids of one call (a string or a list of strings), checked; throws invalid_request. */
export function checkDeliveryIds(call: string, input: unknown): string[] {
  const ids: unknown[] = Array.isArray(input) ? input : [input];
  if (ids.length === 0 || ids.length > MAX_DELIVERY_IDS_PER_CALL) {
    throw new BackfillError("invalid_request", `${call}: pass 1 to ${MAX_DELIVERY_IDS_PER_CALL} delivery ids`, { rule: DELIVERY_ID_RULE });
  }
  for (const id of ids) {
    if (typeof id !== "string" || id.length > MAX_DELIVERY_ID_LENGTH || !PRINTABLE_ASCII.test(id)) {
      throw new BackfillError("invalid_request", `${call}: a delivery id must be 1 to ${MAX_DELIVERY_ID_LENGTH} printable ASCII characters`, { rule: DELIVERY_ID_RULE });
    }
  }
  return [...new Set(ids as string[])];
}

/** True when a delivery processed at `processedAt` is still remembered at `now`. */
export function isDeliveryRemembered(processedAt: number, now: number): boolean {
  return now - processedAt < WEBHOOK_DELIVERY_RETENTION_MS;
}
