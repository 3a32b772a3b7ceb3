// The request half of a queued webhook. The route runs in the request up to its dedupe
// lookup: the SDK contract puts Webhooks.alreadyProcessed after the signature check, so a
// route that reaches it with a new delivery has verified it. There the host stops the route
// (its answer and staged writes are discarded) and the server stores and enqueues the
// delivery instead. A forged delivery is refused by the route before that point (nothing is
// stored or enqueued); a processed one answers as the route says (duplicate, 200).
import { BackfillError } from "@backfill-io/sdk";
import type { ConnectionServices } from "../runner/services.js";

/** The message of the error that ends a route at the deferral point (the route never answers). */
export const WEBHOOK_QUEUED_MESSAGE = "Webhooks.alreadyProcessed: this delivery is queued; a queue worker runs the route";

export type WebhookDeferral = {
  services: ConnectionServices;
  /** Set when the route reached the deferral point with a new delivery: its dedupe ids. */
  deliveryIds(): readonly string[] | undefined;
};

export function deferAtDedupe(services: ConnectionServices): WebhookDeferral {
  let deferred: readonly string[] | undefined;
  return {
    services: {
      ...services,
      webhookDeliveryProcessed: async (ids) => {
        if (await services.webhookDeliveryProcessed?.(ids)) return true;
        deferred ??= [...ids];
        throw new BackfillError("invalid_request", WEBHOOK_QUEUED_MESSAGE);
      },
    },
    deliveryIds: () => deferred,
  };
}
