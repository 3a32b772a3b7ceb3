// GET /v2/payments (ListPayments), /v2/payments/:id, GET /v2/refunds (ListPaymentRefunds),
// /v2/refunds/:id. begin_time/end_time filter created_at; updated_at_begin_time /
// updated_at_end_time filter updated_at; all ranges are start-inclusive, end-exclusive.

import type { Context, Hono } from "hono";
import type { SquareEmulatorState } from "../state.js";
import type { SquarePayment, SquareRefund } from "../types.js";
import { clampLimit, cursorScope, errorResponse, inRange, notFound, pageResponse, parseEnum, parseTime, requireScope, sortByTime, type SquareEnv } from "./context.js";

/** Both lists serve at most 100 per page; a larger limit is clamped, not refused. */
const LIST_LIMITS = { fallback: 100, max: 100 };
/** begin_time defaults to "the current time minus one year" (both lists filter created_at from it). */
const DEFAULT_LOOKBACK_MS = 365 * 86_400_000;

type Listed = SquarePayment | SquareRefund;

function listRoute<T extends Listed>(
  state: SquareEmulatorState,
  endpoint: string,
  key: string,
  records: (c: Context<SquareEnv>) => T[],
  extraFilter: (c: Context<SquareEnv>, record: T) => boolean = () => true,
) {
  return (c: Context<SquareEnv>) => {
    const limit = clampLimit(c.req.query("limit"), "limit", LIST_LIMITS);
    if (!limit.ok) return errorResponse(c, 400, limit.error);
    const sortOrder = parseEnum(c.req.query("sort_order"), "sort_order", ["ASC", "DESC"] as const, "DESC");
    if (!sortOrder.ok) return errorResponse(c, 400, sortOrder.error);
    const sortField = parseEnum(c.req.query("sort_field"), "sort_field", ["CREATED_AT", "UPDATED_AT"] as const, "CREATED_AT");
    if (!sortField.ok) return errorResponse(c, 400, sortField.error);
    const times: Record<string, number | undefined> = {};
    for (const name of ["begin_time", "end_time", "updated_at_begin_time", "updated_at_end_time"]) {
      const parsed = parseTime(c.req.query(name), name);
      if (!parsed.ok) return errorResponse(c, 400, parsed.error);
      times[name] = parsed.value;
    }
    // The cursor belongs to the query as sent: a defaulted begin_time must not move it with the clock.
    const requested = { ...times };
    // Square's default window: a client that omits begin_time never sees older records.
    times.begin_time ??= state.now() - DEFAULT_LOOKBACK_MS;
    const locationId = c.req.query("location_id");
    const all = records(c);
    const merchantId = c.get("data").merchant.id;
    const query = { ...requested, sortOrder: sortOrder.value, sortField: sortField.value, locationId, status: c.req.query("status") };
    return pageResponse(
      c,
      state,
      { scope: cursorScope(endpoint, merchantId, query), cursor: c.req.query("cursor"), limit: limit.value, key },
      () =>
        sortByTime(
          all.filter(
            (record) =>
              inRange(record.created_at, times.begin_time, times.end_time) &&
              inRange(record.updated_at, times.updated_at_begin_time, times.updated_at_end_time) &&
              (locationId === undefined || record.location_id === locationId) &&
              extraFilter(c, record),
          ),
          (record) => (sortField.value === "UPDATED_AT" ? record.updated_at : record.created_at),
          sortOrder.value,
        ),
      (id) => all.find((record) => record.id === id),
    );
  };
}

export function registerPaymentRoutes(app: Hono<SquareEnv>, state: SquareEmulatorState): void {
  const paymentsRead = requireScope("PAYMENTS_READ");

  app.get(
    "/v2/payments",
    paymentsRead,
    listRoute(state, "ListPayments", "payments", (c) => c.get("data").payments),
  );

  app.get("/v2/payments/:paymentId", paymentsRead, (c) => {
    const payment = c.get("data").payments.find((candidate) => candidate.id === c.req.param("paymentId"));
    return payment ? c.json({ payment }) : notFound(c, `Could not find payment with id: ${c.req.param("paymentId")}`);
  });

  app.get(
    "/v2/refunds",
    paymentsRead,
    listRoute(
      state,
      "ListPaymentRefunds",
      "refunds",
      (c) => c.get("data").refunds,
      (c, refund) => c.req.query("status") === undefined || refund.status === c.req.query("status"),
    ),
  );

  app.get("/v2/refunds/:refundId", paymentsRead, (c) => {
    const refund = c.get("data").refunds.find((candidate) => candidate.id === c.req.param("refundId"));
    return refund ? c.json({ refund }) : notFound(c, `Could not find refund with id: ${c.req.param("refundId")}`);
  });
}
