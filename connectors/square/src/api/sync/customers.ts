// Stream `customers` → canonical customer. One page per invocation.
// First pass: ListCustomers (GET /v2/customers) walks every profile. Later passes:
// SearchCustomers (POST /v2/customers/search) filtered on updated_at ≥ the last pass's
// start. A stale cursor (INVALID_CURSOR, cursors live ~5 minutes) restarts the pass
// from the checkpoint's high-water mark; upserts by Square id make re-reads harmless.
import { api, Checkpoint, ingest } from "@backfill-io/sdk";
import { withProviderAccess } from "@backfill-io/oauth-helpers";
import { MIN_TOKEN_TTL_SECONDS, squareGetWithDate, squarePostWithDate } from "../../lib/square-client.js";
import { isSquareApiError } from "../../lib/square-errors.js";
import { squareFailureResponse } from "../../lib/failures.js";
import { filterStart } from "../../lib/high-water.js";
import { passStartInstant } from "../../lib/pass-clock.js";
import { mapPage } from "../../lib/map-page.js";
import { customerIdempotencyKey, mapCustomer } from "../../mappers/customer.js";
import type { SquareCustomer } from "../../lib/square-types.js";

export const config = { auth: "api_key" };

const STREAM = "customers";
const PAGE_SIZE = 100;

export type CustomersCheckpoint = {
  /** Start of the last completed pass: later passes read customers updated since (the high-water mark). */
  highWater?: string;
  /** The pass in progress: when it started and its cursor. */
  passStartedAt?: string;
  cursor?: string;
};

type Page = { customers?: SquareCustomer[]; cursor?: string };

function fetchPage(highWater: string | undefined, cursor: string | undefined): { body: Page; date: string | undefined } {
  if (!highWater) {
    return squareGetWithDate<Page>("/v2/customers", { limit: PAGE_SIZE, sort_field: "CREATED_AT", sort_order: "ASC", cursor });
  }
  return squarePostWithDate<Page>("/v2/customers/search", {
    limit: PAGE_SIZE,
    ...(cursor ? { cursor } : {}),
    query: { filter: { updated_at: { start_at: filterStart(highWater) } } },
  });
}

export const POST = api(
  withProviderAccess(async () => {
    const saved = Checkpoint.get<CustomersCheckpoint>(STREAM) ?? {};
    let restarted = false;
    let page: { body: Page; date: string | undefined };
    try {
      try {
        page = fetchPage(saved.highWater, saved.cursor);
      } catch (error) {
        if (!(isSquareApiError(error) && error.kind === "invalid_cursor" && saved.cursor)) throw error;
        restarted = true;
        page = fetchPage(saved.highWater, undefined);
      }
    } catch (error) {
      return squareFailureResponse(error, STREAM);
    }

    const passStartedAt = saved.passStartedAt ?? passStartInstant(page.date);
    const { payloads, skipped } = mapPage(STREAM, page.body.customers ?? [], mapCustomer);
    const result = ingest.batch("customer", payloads, { stream: STREAM, continueOnError: true, idempotencyKey: customerIdempotencyKey });

    const hasMore = !!page.body.cursor;
    const next: CustomersCheckpoint = hasMore
      ? { ...(saved.highWater ? { highWater: saved.highWater } : {}), passStartedAt, cursor: page.body.cursor! }
      : { highWater: passStartedAt };
    Checkpoint.set(STREAM, next, { hasMore });
    return api.json({ stream: STREAM, ...result, skipped, hasMore, ...(restarted ? { restartedAfter: "INVALID_CURSOR" } : {}) });
  }, { minTtlSeconds: MIN_TOKEN_TTL_SECONDS }),
);
