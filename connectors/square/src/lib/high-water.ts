// High-water marks: the latest provider `updated_at` seen, as RFC 3339 strings. Compared
// as instants (Square mixes "…Z" and "…000Z"), kept in Square's own text.

/** The later of two timestamps (either may be missing). */
export function laterOf(a: string | undefined, b: string | undefined): string | undefined {
  if (!a) return b;
  if (!b) return a;
  return Date.parse(b) > Date.parse(a) ? b : a;
}

export function latest(timestamps: readonly (string | undefined)[], start?: string): string | undefined {
  return timestamps.reduce<string | undefined>((acc, t) => laterOf(acc, t), start);
}

/**
 * Square's list endpoints are eventually consistent (an update may appear seconds after
 * its `updated_at`), so incremental filters start this far before the high-water mark.
 * Re-read records upsert under the same idempotency key.
 */
export const CONSISTENCY_OVERLAP_MS = 60_000;

export function filterStart(highWater: string | undefined): string | undefined {
  if (!highWater) return undefined;
  const t = Date.parse(highWater);
  return Number.isFinite(t) ? new Date(t - CONSISTENCY_OVERLAP_MS).toISOString() : undefined;
}
