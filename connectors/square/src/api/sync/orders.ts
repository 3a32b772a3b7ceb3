// Stream `orders` → canonical sales_receipt. One page per invocation.
// SearchOrders (POST /v2/orders/search) takes ≤ 10 location ids, so a pass walks the
// seller's locations (GET /v2/locations, read once when the pass starts) in batches, each
// sorted by UPDATED_AT and filtered on updated_at ≥ the batch's high-water mark. Pages are
// 500 orders, SearchOrders' most in practice.
// Return orders (a refund's own order: returns[] naming the sale, nothing sold) are not
// sales: they are left out here and reach the store as the refunds that name them.
// The checkpoint records the pass's batches and, after a pass, the locations it read: a
// location first seen at a pass's start gets a batch over its whole history, not only what
// changed since the last pass. A stale cursor restarts the batch from the latest updated_at it
// had already read (results are ascending, so nothing before that is missed).
import { api, Checkpoint, ingest } from "@backfill-io/sdk";
import { withProviderAccess } from "@backfill-io/oauth-helpers";
import { MIN_TOKEN_TTL_SECONDS, squareGetWithDate, squarePost } from "../../lib/square-client.js";
import { isSquareApiError } from "../../lib/square-errors.js";
import { squareFailureResponse } from "../../lib/failures.js";
import { filterStart, latest } from "../../lib/high-water.js";
import { passStartInstant } from "../../lib/pass-clock.js";
import { chunk, MAX_LOCATIONS_PER_SEARCH, sortedLocationIds } from "../../lib/locations.js";
import { mapPage } from "../../lib/map-page.js";
import { mapOrder, orderIdempotencyKey } from "../../mappers/order.js";
import { isReturnOrder } from "../../lib/return-orders.js";
import type { SquareLocation, SquareOrder } from "../../lib/square-types.js";

export const config = { auth: "api_key" };

const STREAM = "orders";
/** SearchOrders' default and, in practice, its maximum (a larger limit still serves 500). */
export const ORDERS_PAGE_SIZE = 500;
/** DRAFT orders are not sales; OPEN ones are kept so their later completion or cancelation updates the record. */
const STATES = ["OPEN", "COMPLETED", "CANCELED"];

export type OrderBatch = {
  locationIds: string[];
  /** Read orders updated at or after this instant; absent: the location's whole history. */
  since?: string;
};

export type OrdersCheckpoint = {
  /** Start of the last completed pass: the next pass's batches read from here. */
  highWater?: string;
  /** The locations the last completed pass read; one not among them is read over its whole history. */
  knownLocationIds?: string[];
  passStartedAt?: string;
  /** The pass's location batches, ≤ 10 ids each, in order. */
  batches?: OrderBatch[];
  batchIndex?: number;
  cursor?: string;
  /** The `since` of the query the cursor belongs to (a cursor is only valid with its original request body). */
  cursorSince?: string;
  /** Latest updated_at read in the current batch (a restart point, results being ascending). */
  batchHighWater?: string;
};

type SearchPage = { orders?: SquareOrder[]; cursor?: string };

function batchesFor(locationIds: readonly string[], since: string | undefined): OrderBatch[] {
  return chunk(locationIds, MAX_LOCATIONS_PER_SEARCH).map((ids) => ({ locationIds: ids, ...(since ? { since } : {}) }));
}

function search(locationIds: string[], since: string | undefined, cursor: string | undefined): SearchPage {
  const start = filterStart(since);
  return squarePost<SearchPage>("/v2/orders/search", {
    location_ids: locationIds,
    limit: ORDERS_PAGE_SIZE,
    return_entries: false,
    ...(cursor ? { cursor } : {}),
    query: {
      filter: {
        state_filter: { states: STATES },
        ...(start ? { date_time_filter: { updated_at: { start_at: start } } } : {}),
      },
      sort: { sort_field: "UPDATED_AT", sort_order: "ASC" },
    },
  });
}

/** The batches of a new pass: known locations from the high-water mark, new ones over their whole history. */
function passBatches(current: readonly string[], saved: OrdersCheckpoint): OrderBatch[] {
  if (!saved.highWater || !saved.knownLocationIds) return batchesFor(current, saved.highWater);
  const known = new Set(saved.knownLocationIds);
  return [...batchesFor(current.filter((id) => known.has(id)), saved.highWater), ...batchesFor(current.filter((id) => !known.has(id)), undefined)];
}

function passDone(state: OrdersCheckpoint): OrdersCheckpoint {
  return {
    ...(state.passStartedAt ? { highWater: state.passStartedAt } : {}),
    knownLocationIds: [...new Set((state.batches ?? []).flatMap((b) => b.locationIds))].sort(),
  };
}

export const POST = api(
  withProviderAccess(async () => {
    const saved = Checkpoint.get<OrdersCheckpoint>(STREAM) ?? {};
    try {
      const inPass = !!saved.batches && (saved.batchIndex ?? 0) < saved.batches.length;
      let state: OrdersCheckpoint;
      if (inPass) {
        state = structuredClone(saved);
      } else {
        // Once per pass: a location added later is in the next pass, over its whole history.
        const locations = squareGetWithDate<{ locations?: SquareLocation[] }>("/v2/locations");
        state = {
          ...(saved.highWater ? { highWater: saved.highWater } : {}),
          passStartedAt: passStartInstant(locations.date),
          batches: passBatches(sortedLocationIds(locations.body), saved),
          batchIndex: 0,
        };
      }
      const batches = state.batches!;
      const index = state.batchIndex ?? 0;
      if (index >= batches.length) {
        Checkpoint.set(STREAM, passDone(state), { hasMore: false });
        return api.json({ stream: STREAM, accepted: 0, rejected: 0, errors: [], skipped: [], returnOrders: 0, hasMore: false });
      }

      const batch = batches[index]!;
      const ids = batch.locationIds;
      let restarted = false;
      let querySince = state.cursor ? (state.cursorSince ?? batch.since) : batch.since;
      let page: SearchPage;
      try {
        page = search(ids, querySince, state.cursor);
      } catch (error) {
        if (!(isSquareApiError(error) && error.kind === "invalid_cursor" && state.cursor)) throw error;
        restarted = true;
        querySince = state.batchHighWater ?? batch.since;
        page = search(ids, querySince, undefined);
      }

      const orders = page.orders ?? [];
      const sales = orders.filter((order) => !isReturnOrder(order));
      const { payloads, skipped } = mapPage(STREAM, sales, mapOrder);
      const result = ingest.batch("sales_receipt", payloads, { stream: STREAM, continueOnError: true, idempotencyKey: orderIdempotencyKey });

      let hasMore: boolean;
      let next: OrdersCheckpoint;
      if (page.cursor) {
        const high = latest(orders.map((o) => o.updated_at), state.batchHighWater);
        next = { ...state, cursor: page.cursor, ...(high ? { batchHighWater: high } : {}) };
        delete next.cursorSince;
        if (querySince) next.cursorSince = querySince;
        hasMore = true;
      } else if (index + 1 < batches.length) {
        next = { ...state, batchIndex: index + 1 };
        delete next.cursor;
        delete next.cursorSince;
        delete next.batchHighWater;
        hasMore = true;
      } else {
        next = passDone(state);
        hasMore = false;
      }
      Checkpoint.set(STREAM, next, { hasMore });
      return api.json({
        stream: STREAM,
        ...result,
        skipped,
        returnOrders: orders.length - sales.length,
        hasMore,
        batch: { index, of: batches.length, locations: ids.length },
        ...(restarted ? { restartedAfter: "INVALID_CURSOR" } : {}),
      });
    } catch (error) {
      return squareFailureResponse(error, STREAM);
    }
  }, { minTtlSeconds: MIN_TOKEN_TTL_SECONDS }),
);
