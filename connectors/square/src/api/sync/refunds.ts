// Stream `refunds` → canonical refund_receipt. One page per invocation (or part of one).
// ListPaymentRefunds (GET /v2/refunds) filtered on updated_at_begin_time, sorted by
// UPDATED_AT ascending, with begin_time explicit (Square defaults it to a year ago). Each
// refund links to the sale it reverses through its return order (PaymentRefund.order_id):
// one BatchRetrieveOrders per page of 100 (lib/refund-links.ts); unlinked refunds are stored
// with no sale. Only COMPLETED refunds are ingested; a PENDING one returns with a new
// updated_at when it settles.
//
// A failed lookup must not cost the page: the refunds resolved before it are ingested, the
// checkpoint keeps the page's own cursor with how many of its refunds are done, and the next
// invocation reads the same page again and carries on after them. Idempotency keys are
// Square's refund ids, so whatever is read twice (a page that changed meanwhile, a stale
// cursor) upserts.
import { api, Checkpoint, ingest, log } from "@backfill-io/sdk";
import { withProviderAccess } from "@backfill-io/oauth-helpers";
import { MIN_TOKEN_TTL_SECONDS, squareGetWithDate } from "../../lib/square-client.js";
import { isSquareApiError } from "../../lib/square-errors.js";
import { squareFailureResponse } from "../../lib/failures.js";
import { filterStart, latest } from "../../lib/high-water.js";
import { passStartInstant } from "../../lib/pass-clock.js";
import { refundLinks } from "../../lib/refund-links.js";
import { mapPage } from "../../lib/map-page.js";
import { isSettledRefund, mapRefund, refundIdempotencyKey } from "../../mappers/refund.js";
import type { SquarePaymentRefund } from "../../lib/square-types.js";

export const config = { auth: "api_key" };

const STREAM = "refunds";
const PAGE_SIZE = 100;

export type RefundsCheckpoint = {
  highWater?: string;
  passStartedAt?: string;
  /**
   * The cursor of the page to read next. With `pageDone` it is the cursor of the page in
   * progress (absent: that page is the first of its query).
   */
  cursor?: string;
  /** The `since` of the query the cursor (or the page in progress) belongs to. */
  cursorSince?: string;
  /** Latest updated_at read in this pass (results are ascending: a restart point). */
  passHighWater?: string;
  /** Page in progress: how many of its refunds (in Square's order) are done. */
  pageDone?: number;
  /** The id of the last done refund: a re-read page must still have it at pageDone - 1. */
  pageDoneId?: string;
};

type Page = { refunds?: SquarePaymentRefund[]; cursor?: string };

/**
 * ListPaymentRefunds also filters on created_at, from `begin_time`, which defaults to a year
 * ago: without it a backfill would miss every older refund (and an incremental pass every
 * update to one). Square took its first payments after this instant, so it means "all".
 */
export const REFUNDS_HISTORY_START = "2009-01-01T00:00:00Z";

function fetchPage(since: string | undefined, cursor: string | undefined) {
  return squareGetWithDate<Page>("/v2/refunds", {
    begin_time: REFUNDS_HISTORY_START,
    limit: PAGE_SIZE,
    sort_field: "UPDATED_AT",
    sort_order: "ASC",
    updated_at_begin_time: filterStart(since),
    cursor,
  });
}

/** Where to start in a re-read page: after the done refunds, or from the start if the page changed. */
function resumeIndex(saved: RefundsCheckpoint, refunds: readonly SquarePaymentRefund[]): number {
  const done = saved.pageDone ?? 0;
  if (done <= 0) return 0;
  if (done <= refunds.length && refunds[done - 1]!.id === saved.pageDoneId) return done;
  log.info("square refunds page changed since it was partly read; reading it from its start", { stream: STREAM, done, pageSize: refunds.length });
  return 0;
}

export const POST = api(
  withProviderAccess(async () => {
    const saved = Checkpoint.get<RefundsCheckpoint>(STREAM) ?? {};
    try {
      let restarted = false;
      const continuing = saved.cursor !== undefined || saved.pageDone !== undefined;
      let querySince = continuing ? (saved.cursorSince ?? saved.highWater) : saved.highWater;
      let pageCursor = saved.cursor;
      let page: { body: Page; date: string | undefined };
      try {
        page = fetchPage(querySince, pageCursor);
      } catch (error) {
        if (!(isSquareApiError(error) && error.kind === "invalid_cursor" && saved.cursor)) throw error;
        restarted = true;
        querySince = saved.passHighWater ?? saved.highWater;
        pageCursor = undefined;
        page = fetchPage(querySince, undefined);
      }

      const refunds = page.body.refunds ?? [];
      const start = restarted ? 0 : resumeIndex(saved, refunds);
      const links = refundLinks(refunds.slice(start));
      const end = start + links.resolved;
      const { interruptedBy } = links;
      // Not even the first refund could be linked: nothing to keep, the page is retried as a whole.
      if (end === start && end < refunds.length) throw interruptedBy ?? new Error("square refunds: no lookup was made");

      const done = refunds.slice(start, end);
      const settled = done.filter(isSettledRefund);
      const { payloads, skipped } = mapPage(STREAM, settled, (r) => mapRefund(r, links.saleOf.get(r.id)));
      const result = ingest.batch("refund_receipt", payloads, { stream: STREAM, continueOnError: true, idempotencyKey: refundIdempotencyKey });
      const unsettled = done.length - settled.length;
      if (unsettled) log.info("square refunds not yet settled", { stream: STREAM, count: unsettled });

      const passStartedAt = saved.passStartedAt ?? passStartInstant(page.date);
      const pageComplete = end === refunds.length;
      const hasMore = !pageComplete || !!page.body.cursor;
      // Only what is done counts: a restart from here must still read the rest of the page.
      const high = latest(done.map((r) => r.updated_at), saved.passHighWater);
      const inPass = (cursor: string | undefined): RefundsCheckpoint => ({
        ...(saved.highWater ? { highWater: saved.highWater } : {}),
        passStartedAt,
        ...(cursor ? { cursor } : {}),
        ...(querySince ? { cursorSince: querySince } : {}),
        ...(high ? { passHighWater: high } : {}),
      });
      let next: RefundsCheckpoint;
      if (!pageComplete) {
        next = { ...inPass(pageCursor), pageDone: end, pageDoneId: refunds[end - 1]!.id };
        log.info("square refunds page ends early: a return order lookup failed", { stream: STREAM, done: end, pageSize: refunds.length, ...(interruptedBy ? { status: interruptedBy.status } : {}) });
      } else if (page.body.cursor) {
        next = inPass(page.body.cursor);
      } else {
        next = { highWater: passStartedAt };
      }
      // A page cut short by a rate limit asks the host to let Square's limit recover first.
      const pause = !pageComplete && interruptedBy?.kind === "rate_limited" ? { pauseSeconds: interruptedBy.retryAfterSeconds ?? 1 } : {};
      Checkpoint.set(STREAM, next, { hasMore, ...pause });
      return api.json({
        stream: STREAM,
        ...result,
        skipped,
        notSettled: unsettled,
        hasMore,
        ...(pageComplete ? {} : { page: { done: end, of: refunds.length } }),
        ...(restarted ? { restartedAfter: "INVALID_CURSOR" } : {}),
      });
    } catch (error) {
      return squareFailureResponse(error, STREAM);
    }
  }, { minTtlSeconds: MIN_TOKEN_TTL_SECONDS }),
);
