// Stream `refunds` → canonical refund_receipt. One page per invocation.
// ListPaymentRefunds (GET /v2/refunds) filtered on updated_at_begin_time, sorted by
// UPDATED_AT ascending. Each refund links to the order of the payment it refunds
// (GetPayment per distinct payment of the page; PaymentRefund.order_id is the refund's
// own return order, see lib/payments.ts). Only COMPLETED refunds are ingested;
// a PENDING one returns with a new updated_at when it settles.
import { api, Checkpoint, ingest, log } from "@backfill-io/sdk";
import { withProviderAccess } from "@backfill-io/oauth-helpers";
import { MIN_TOKEN_TTL_SECONDS, squareGetWithDate } from "../../lib/square-client.js";
import { isSquareApiError } from "../../lib/square-errors.js";
import { squareFailureResponse } from "../../lib/failures.js";
import { filterStart, latest } from "../../lib/high-water.js";
import { passStartInstant } from "../../lib/pass-clock.js";
import { orderIdsOfPayments } from "../../lib/payments.js";
import { mapPage } from "../../lib/map-page.js";
import { isSettledRefund, mapRefund, refundIdempotencyKey } from "../../mappers/refund.js";
import type { SquarePaymentRefund } from "../../lib/square-types.js";

export const config = { auth: "api_key" };

const STREAM = "refunds";
const PAGE_SIZE = 100;

export type RefundsCheckpoint = {
  highWater?: string;
  passStartedAt?: string;
  cursor?: string;
  /** The `since` of the query the cursor belongs to. */
  cursorSince?: string;
  /** Latest updated_at read in this pass (results are ascending: a restart point). */
  passHighWater?: string;
};

type Page = { refunds?: SquarePaymentRefund[]; cursor?: string };

function fetchPage(since: string | undefined, cursor: string | undefined) {
  return squareGetWithDate<Page>("/v2/refunds", {
    limit: PAGE_SIZE,
    sort_field: "UPDATED_AT",
    sort_order: "ASC",
    updated_at_begin_time: filterStart(since),
    cursor,
  });
}

export const POST = api(
  withProviderAccess(async () => {
    const saved = Checkpoint.get<RefundsCheckpoint>(STREAM) ?? {};
    try {
      let restarted = false;
      let querySince = saved.cursor ? (saved.cursorSince ?? saved.highWater) : saved.highWater;
      let page: { body: Page; date: string | undefined };
      try {
        page = fetchPage(querySince, saved.cursor);
      } catch (error) {
        if (!(isSquareApiError(error) && error.kind === "invalid_cursor" && saved.cursor)) throw error;
        restarted = true;
        querySince = saved.passHighWater ?? saved.highWater;
        page = fetchPage(querySince, undefined);
      }

      const refunds = page.body.refunds ?? [];
      const settled = refunds.filter(isSettledRefund);
      const orderIds = orderIdsOfPayments(settled.flatMap((r) => (r.payment_id ? [r.payment_id] : [])));
      const { payloads, skipped } = mapPage(STREAM, settled, (r) => mapRefund(r, r.payment_id ? orderIds.get(r.payment_id) : undefined));
      const result = ingest.batch("refund_receipt", payloads, { stream: STREAM, continueOnError: true, idempotencyKey: refundIdempotencyKey });
      const unsettled = refunds.length - settled.length;
      if (unsettled) log.info("square refunds not yet settled", { stream: STREAM, count: unsettled });

      const passStartedAt = saved.passStartedAt ?? passStartInstant(page.date);
      const hasMore = !!page.body.cursor;
      const high = latest(refunds.map((r) => r.updated_at), saved.passHighWater);
      const next: RefundsCheckpoint = hasMore
        ? {
            ...(saved.highWater ? { highWater: saved.highWater } : {}),
            passStartedAt,
            cursor: page.body.cursor!,
            ...(querySince ? { cursorSince: querySince } : {}),
            ...(high ? { passHighWater: high } : {}),
          }
        : { highWater: passStartedAt };
      Checkpoint.set(STREAM, next, { hasMore });
      return api.json({ stream: STREAM, ...result, skipped, notSettled: unsettled, hasMore, ...(restarted ? { restartedAfter: "INVALID_CURSOR" } : {}) });
    } catch (error) {
      return squareFailureResponse(error, STREAM);
    }
  }, { minTtlSeconds: MIN_TOKEN_TTL_SECONDS }),
);
