// Stream `refunds` → canonical refund_receipt, as a stream spec (oauth-helpers' engine pages it).
// ListPaymentRefunds (GET /v2/refunds) filtered on updated_at_begin_time, sorted by
// UPDATED_AT ascending, with begin_time explicit (Square defaults it to a year ago). Each
// refund links to the sale it reverses through its return order (PaymentRefund.order_id):
// one BatchRetrieveOrders per page of 100 (lib/refund-links.ts); unlinked refunds are stored
// with no sale. Only COMPLETED refunds are ingested; a PENDING one returns with a new
// updated_at when it settles.
//
// A failed lookup must not cost the page: `complete` links a prefix of the page, the engine
// commits it and records how many refunds of the page are done, and the next invocation
// reads the same page again and carries on after them. Idempotency keys are Square's refund
// ids, so whatever is read twice (a page that changed meanwhile, a stale cursor) upserts.
import { api, log } from "@backfill-io/sdk";
import { flatStream, syncStreamPage, type Completion, type FlatCursorCheckpoint, type PageQuery } from "@backfill-io/oauth-helpers";
import { squareGetWithDate } from "../../lib/square-client.js";
import { squareFailure } from "../../lib/square-failure.js";
import { filterStart } from "../../lib/high-water.js";
import { refundLinks } from "../../lib/refund-links.js";
import { refundRecords, squareId, squareUpdatedAt, type LinkedRefund } from "../../lib/records.js";
import { isSettledRefund } from "../../mappers/refund.js";
import type { SquarePaymentRefund } from "../../lib/square-types.js";

export const config = { auth: "api_key" };

const PAGE_SIZE = 100;

/**
 * highWater / passStartedAt: as customers; cursor (with pageDone: of the page in progress),
 * cursorSince (the bound its query was made with), passHighWater (latest updated_at read:
 * the restart point), pageDone / pageDoneId (how many of the page's refunds are done, and
 * the last one's id: a re-read page must still have it there).
 */
export type RefundsCheckpoint = FlatCursorCheckpoint;

type Page = { refunds?: SquarePaymentRefund[]; cursor?: string };

/**
 * ListPaymentRefunds also filters on created_at, from `begin_time`, which defaults to a year
 * ago: without it a backfill would miss every older refund (and an incremental pass every
 * update to one). Square took its first payments after this instant, so it means "all".
 */
export const REFUNDS_HISTORY_START = "2009-01-01T00:00:00Z";

function fetchRefunds({ since, cursor }: PageQuery<{ since?: string | undefined }>) {
  const { body, date } = squareGetWithDate<Page>("/v2/refunds", {
    begin_time: REFUNDS_HISTORY_START,
    limit: PAGE_SIZE,
    sort_field: "UPDATED_AT",
    sort_order: "ASC",
    updated_at_begin_time: filterStart(since),
    cursor,
  });
  return { items: body.refunds ?? [], nextCursor: body.cursor, date };
}

/** The page's refunds with their sales, as far as the lookups went (a rate limit lets Square recover first). */
function linkRefunds(refunds: SquarePaymentRefund[]): Completion<LinkedRefund> {
  const links = refundLinks(refunds);
  const done = refunds.slice(0, links.resolved).map((refund) => ({ refund, sale: links.saleOf.get(refund.id) }));
  const unsettled = done.filter((d) => !isSettledRefund(d.refund)).length;
  if (unsettled) log.info("square refunds not yet settled", { stream: "refunds", count: unsettled });
  const failure = links.interruptedBy ? squareFailure(links.interruptedBy) : undefined;
  if (!failure) return { done };
  const pauseSeconds = links.interruptedBy?.kind === "rate_limited" ? (links.interruptedBy.retryAfterSeconds ?? 1) : undefined;
  return { done, stop: { failure, pauseSeconds } };
}

export const refundsStream = flatStream<SquarePaymentRefund, LinkedRefund>({
  stream: "refunds",
  kind: "refund_receipt",
  watermark: "pass_start",
  fetchPage: fetchRefunds,
  complete: linkRefunds,
  idOf: squareId,
  updatedAt: squareUpdatedAt,
  keep: (linked) => isSettledRefund(linked.refund),
  toRecords: refundRecords,
  failureOf: squareFailure,
  report: ({ items, kept }) => ({ notSettled: items.length - kept }),
});

export const POST = api(() => syncStreamPage(refundsStream));
