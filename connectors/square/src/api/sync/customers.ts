// Stream `customers` → canonical customer, as a stream spec (oauth-helpers' engine pages it).
// First pass: ListCustomers (GET /v2/customers) walks every profile, sorted by creation.
// Later passes: SearchCustomers (POST /v2/customers/search) filtered on updated_at ≥ the
// last pass's start (minus the consistency overlap). A stale cursor (INVALID_CURSOR, cursors
// live ~5 minutes) restarts the query from the pass's bound; upserts by Square id make
// re-reads harmless.
import { api } from "@backfill-io/sdk";
import { flatStream, syncStreamPage, type FlatCursorCheckpoint, type PageQuery } from "@backfill-io/oauth-helpers";
import { squareGetWithDate, squarePostWithDate } from "../../lib/square-client.js";
import { squareFailure } from "../../lib/square-failure.js";
import { filterStart } from "../../lib/high-water.js";
import { customerRecords, squareId, squareUpdatedAt } from "../../lib/records.js";
import type { SquareCustomer } from "../../lib/square-types.js";

export const config = { auth: "api_key" };

const PAGE_SIZE = 100;

/** highWater: start of the last completed pass; passStartedAt and cursor: the pass in progress. */
export type CustomersCheckpoint = FlatCursorCheckpoint;

type Page = { customers?: SquareCustomer[]; cursor?: string };

function fetchCustomers({ since, cursor }: PageQuery<{ since?: string | undefined }>) {
  const { body, date } = since
    ? squarePostWithDate<Page>("/v2/customers/search", { limit: PAGE_SIZE, ...(cursor ? { cursor } : {}), query: { filter: { updated_at: { start_at: filterStart(since) } } } })
    : squareGetWithDate<Page>("/v2/customers", { limit: PAGE_SIZE, sort_field: "CREATED_AT", sort_order: "ASC", cursor });
  return { items: body.customers ?? [], nextCursor: body.cursor, date };
}

export const customersStream = flatStream<SquareCustomer>({
  stream: "customers",
  kind: "customer",
  watermark: "pass_start",
  // The first pass lists by creation: only the pass's bound is a restart point.
  ascendingByUpdatedAt: false,
  fetchPage: fetchCustomers,
  idOf: squareId,
  updatedAt: squareUpdatedAt,
  toRecords: customerRecords,
  failureOf: squareFailure,
});

export const POST = api(() => syncStreamPage(customersStream));
