// Stream `orders` → canonical sales_receipt. One page per invocation.
// SearchOrders (POST /v2/orders/search) takes ≤ 10 location ids, so a pass walks the
// seller's locations (GET /v2/locations) in batches, each sorted by UPDATED_AT and
// filtered on updated_at ≥ the batch's high-water mark.
// The checkpoint records the batches themselves (not just an index), so a resume after
// locations change stays correct: a location that appears mid-pass gets its own batch
// read from the beginning of its history; one that disappears is dropped from its
// batch's query. A stale cursor restarts the batch from the latest updated_at it had
// already read (results are ascending, so nothing before that is missed).
// A page costs two requests (ListLocations, SearchOrders); mid-pass the first is optional
// (listLocations), so one throttled request does not cost a page that can be read.
import { api, Checkpoint, ingest, log } from "@backfill-io/sdk";
import { withProviderAccess } from "@backfill-io/oauth-helpers";
import { MIN_TOKEN_TTL_SECONDS, squareGetWithDate, squarePost } from "../../lib/square-client.js";
import { isSquareApiError, isTransientSquareError } from "../../lib/square-errors.js";
import { squareFailureResponse } from "../../lib/failures.js";
import { filterStart, latest } from "../../lib/high-water.js";
import { passStartInstant } from "../../lib/pass-clock.js";
import { chunk, MAX_LOCATIONS_PER_SEARCH, sortedLocationIds } from "../../lib/locations.js";
import { mapPage } from "../../lib/map-page.js";
import { mapOrder, orderIdempotencyKey } from "../../mappers/order.js";
import type { SquareLocation, SquareOrder } from "../../lib/square-types.js";

export const config = { auth: "api_key" };

const STREAM = "orders";
const PAGE_SIZE = 100;
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
    limit: PAGE_SIZE,
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

/**
 * ListLocations. A pass needs it to plan its batches; mid-pass it only spots locations
 * that came or went, so there a throttled or failed read is not worth the page: the
 * pass carries on with its recorded batches (undefined) and looks again next page.
 */
function listLocations(inPass: boolean): { body: { locations?: SquareLocation[] }; date: string | undefined } | undefined {
  try {
    return squareGetWithDate<{ locations?: SquareLocation[] }>("/v2/locations");
  } catch (error) {
    if (!(inPass && isTransientSquareError(error))) throw error;
    log.info("square locations not read; the pass goes on with its recorded batches", { stream: STREAM, status: error.status });
    return undefined;
  }
}

export const POST = api(
  withProviderAccess(async () => {
    const saved = Checkpoint.get<OrdersCheckpoint>(STREAM) ?? {};
    try {
      const inPass = !!saved.batches && (saved.batchIndex ?? 0) < saved.batches.length;
      const locations = listLocations(inPass);
      const current = locations ? sortedLocationIds(locations.body) : undefined;

      const state: OrdersCheckpoint = inPass
        ? structuredClone(saved)
        : {
            ...(saved.highWater ? { highWater: saved.highWater } : {}),
            passStartedAt: passStartInstant(locations!.date),
            batches: batchesFor(current!, saved.highWater),
            batchIndex: 0,
          };
      const batches = state.batches!;
      const known = new Set(batches.flatMap((b) => b.locationIds));
      if (inPass && current) {
        const added = current.filter((id) => !known.has(id));
        if (added.length) batches.push(...batchesFor(added, undefined));
      }
      // Without a fresh list, the recorded batches stand: a change is seen on the next page.
      const currentSet = new Set(current ?? known);

      // Skip batches whose locations all disappeared (no request for them).
      let index = state.batchIndex ?? 0;
      while (index < batches.length && !batches[index]!.locationIds.some((id) => currentSet.has(id))) {
        index++;
        delete state.cursor;
        delete state.cursorSince;
        delete state.batchHighWater;
      }
      state.batchIndex = index;
      if (index >= batches.length) {
        const done: OrdersCheckpoint = { ...(state.passStartedAt ? { highWater: state.passStartedAt } : {}) };
        Checkpoint.set(STREAM, done, { hasMore: false });
        return api.json({ stream: STREAM, accepted: 0, rejected: 0, errors: [], skipped: [], hasMore: false });
      }

      const batch = batches[index]!;
      const ids = batch.locationIds.filter((id) => currentSet.has(id));
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
      const { payloads, skipped } = mapPage(STREAM, orders, mapOrder);
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
        next = { ...(state.passStartedAt ? { highWater: state.passStartedAt } : {}) };
        hasMore = false;
      }
      Checkpoint.set(STREAM, next, { hasMore });
      return api.json({
        stream: STREAM,
        ...result,
        skipped,
        hasMore,
        batch: { index, of: batches.length, locations: ids.length },
        ...(restarted ? { restartedAfter: "INVALID_CURSOR" } : {}),
      });
    } catch (error) {
      return squareFailureResponse(error, STREAM);
    }
  }, { minTtlSeconds: MIN_TOKEN_TTL_SECONDS }),
);
