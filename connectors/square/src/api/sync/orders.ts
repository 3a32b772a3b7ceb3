// Stream `orders` → canonical sales_receipt, as a stream spec (oauth-helpers' engine pages it).
// SearchOrders (POST /v2/orders/search) takes ≤ 10 location ids, so a pass walks the
// seller's locations (GET /v2/locations, read once when the pass starts) in batches: the
// pass's partitions, each sorted by UPDATED_AT and filtered on updated_at ≥ the batch's
// bound. Pages are 500 orders, SearchOrders' most in practice.
// Return orders (a refund's own order: returns[] naming the sale, nothing sold) are not
// sales: they are read but not kept, and reach the store as the refunds that name them.
// The checkpoint records the pass's batches and, after a pass, the locations it read: a
// location first seen at a pass's start gets a batch over its whole history, not only what
// changed since the last pass. A stale cursor restarts the batch from the latest updated_at it
// had already read (results are ascending, so nothing before that is missed).
import { api, z } from "@backfill-io/sdk";
import {
  flatCursorCheckpoint,
  pageDoneOf,
  providerClock,
  sparse,
  syncStreamPage,
  type CheckpointLayout,
  type PageQuery,
  type StreamPosition,
  type StreamSpec,
} from "@backfill-io/oauth-helpers";
import { squareGetWithDate, squarePost } from "../../lib/square-client.js";
import { squareFailure } from "../../lib/square-failure.js";
import { filterStart } from "../../lib/high-water.js";
import { chunk, MAX_LOCATIONS_PER_SEARCH, sortedLocationIds } from "../../lib/locations.js";
import { orderRecords, squareId, squareUpdatedAt } from "../../lib/records.js";
import { isReturnOrder } from "../../lib/return-orders.js";
import type { SquareLocation, SquareOrder } from "../../lib/square-types.js";

export const config = { auth: "api_key" };

/** SearchOrders' default and, in practice, its maximum (a larger limit still serves 500). */
export const ORDERS_PAGE_SIZE = 500;
/** DRAFT orders are not sales; OPEN ones are kept so their later completion or cancelation updates the record. */
const STATES = ["OPEN", "COMPLETED", "CANCELED"];

const orderBatch = z.object({
  locationIds: z.array(z.string()),
  /** Read orders updated at or after this instant; absent: the location's whole history. */
  since: z.string().optional(),
});
export type OrderBatch = z.infer<typeof orderBatch>;

// The flat layout's fields (passHighWater is per batch here: batchHighWater), plus the batches.
const ordersCheckpoint = flatCursorCheckpoint.omit({ passHighWater: true }).extend({
  /** The locations the last completed pass read; one not among them is read over its whole history. */
  knownLocationIds: z.array(z.string()).optional(),
  /** The pass's location batches, ≤ 10 ids each, in order. */
  batches: z.array(orderBatch).optional(),
  batchIndex: z.number().int().nonnegative().optional(),
  /** Latest updated_at read in the current batch (a restart point, results being ascending). */
  batchHighWater: z.string().optional(),
});
export type OrdersCheckpoint = z.infer<typeof ordersCheckpoint>;

type Known = { knownLocationIds?: string[] | undefined };

const ordersLayout: CheckpointLayout<OrdersCheckpoint, OrderBatch, Known> = {
  schema: ordersCheckpoint,
  read(s = {}) {
    const memo = { knownLocationIds: s.knownLocationIds };
    if (!s.batches || (s.batchIndex ?? 0) >= s.batches.length) return { highWater: s.highWater, memo };
    const pass = {
      partitions: s.batches,
      index: s.batchIndex ?? 0,
      startedAt: s.passStartedAt,
      cursor: s.cursor,
      cursorSince: s.cursorSince,
      seenHighWater: s.batchHighWater,
      pageDone: pageDoneOf(s.pageDone, s.pageDoneId),
    };
    return { highWater: s.highWater, pass, memo };
  },
  write({ highWater, pass, memo }) {
    if (!pass) return sparse({ highWater, knownLocationIds: memo?.knownLocationIds });
    const { partitions, index, startedAt, cursor, cursorSince, seenHighWater, pageDone } = pass;
    return sparse({
      highWater,
      passStartedAt: startedAt,
      batches: partitions,
      batchIndex: index,
      cursor,
      cursorSince,
      batchHighWater: seenHighWater,
      pageDone: pageDone?.count,
      pageDoneId: pageDone?.lastId,
    });
  },
};

function batchesFor(locationIds: readonly string[], since: string | undefined): OrderBatch[] {
  return chunk(locationIds, MAX_LOCATIONS_PER_SEARCH).map((ids) => ({ locationIds: ids, ...(since ? { since } : {}) }));
}

/** A new pass's batches: known locations from the high-water mark, new ones over their whole history (ListLocations once a pass). */
function planOrdersPass({ highWater, memo }: StreamPosition<OrderBatch, Known>) {
  const locations = squareGetWithDate<{ locations?: SquareLocation[] }>("/v2/locations");
  const current = sortedLocationIds(locations.body);
  const startedAt = providerClock(locations.date);
  const known = memo?.knownLocationIds;
  if (!highWater || !known) return { partitions: batchesFor(current, highWater), startedAt };
  const isKnown = new Set(known);
  return {
    partitions: [
      ...batchesFor(
        current.filter((id) => isKnown.has(id)),
        highWater,
      ),
      ...batchesFor(
        current.filter((id) => !isKnown.has(id)),
        undefined,
      ),
    ],
    startedAt,
  };
}

function searchOrders({ partition, since, cursor }: PageQuery<OrderBatch>) {
  const start = filterStart(since);
  const body = squarePost<{ orders?: SquareOrder[]; cursor?: string }>("/v2/orders/search", {
    location_ids: partition.locationIds,
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
  return { items: body.orders ?? [], nextCursor: body.cursor };
}

export const ordersStream = {
  stream: "orders",
  kind: "sales_receipt",
  layout: ordersLayout,
  watermark: "pass_start",
  planPass: planOrdersPass,
  fetchPage: searchOrders,
  idOf: squareId,
  updatedAt: squareUpdatedAt,
  keep: (order: SquareOrder) => !isReturnOrder(order),
  toRecords: orderRecords,
  // The locations the pass read: a location not among them next time is read over its whole history.
  passEnded: (pass) => ({ knownLocationIds: [...new Set(pass.partitions.flatMap((b) => b.locationIds))].sort() }),
  failureOf: squareFailure,
  report: ({ items, kept, partition, index, of }) => ({
    returnOrders: items.length - kept,
    ...(partition ? { batch: { index, of, locations: partition.locationIds.length } } : {}),
  }),
} satisfies StreamSpec<OrdersCheckpoint, SquareOrder, SquareOrder, OrderBatch, Known>;

export const POST = api(() => syncStreamPage(ordersStream));
