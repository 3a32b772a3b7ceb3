// Square's list endpoints are eventually consistent (an update may appear seconds after
// its `updated_at`), so incremental filters start this far before the bound they are
// given. Re-read records upsert under the same idempotency key.
import { instantBefore } from "@backfill-io/oauth-helpers";

export const CONSISTENCY_OVERLAP_MS = 60_000;

export function filterStart(since: string | undefined): string | undefined {
  return instantBefore(since, CONSISTENCY_OVERLAP_MS);
}
