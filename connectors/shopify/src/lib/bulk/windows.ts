// Date slices of a bulk pass (as Airbyte's source-shopify slices): jobs cover windows of
// updated_at in whole UTC days, 30 days to start; a window whose job runs past an hour is
// cancelled and halved, a job that finishes fast doubles the next windows. The last window
// is open-ended, so a record updated while the pass runs lands in it (or in the next pass,
// whose lookback starts before the pass's high-water mark).
export const DAY_MS = 86_400_000;
export const INITIAL_WINDOW_DAYS = 30;
export const MAX_WINDOW_DAYS = 365;
/** A job running longer than this is cancelled and its window halved. */
export const MAX_JOB_MS = 3600_000;
/** A job finishing faster than this doubles the size of the windows after it. */
export const FAST_JOB_MS = 5 * 60_000;

export type BulkWindow = {
  /** Inclusive lower bound (UTC midnight, ISO), or null for the very start. */
  from: string | null;
  /** Exclusive upper bound (UTC midnight, ISO), or null: open-ended. */
  to: string | null;
  jobId?: string;
  /** Epoch ms when the job was created (for the too-long check). */
  startedAt?: number;
  fileId?: string;
  /** Byte offset of the next unread line in the file. */
  offset?: number;
  /** The file is the partial data of a failed job: its last record may be cut, and the rest of the window runs after it. */
  partial?: true;
  /** Largest updatedAt read from a partial file so far; the rest of the window starts there. */
  readUpTo?: string;
  /** A partial file's records came out of updated_at order: they cannot bound the rest, the whole window runs again. */
  unordered?: true;
};

/**
 * What is left of a window after its partial file was read: from the last whole record's
 * updatedAt (inclusive, so records updated at that instant are read again: they are keyed,
 * not duplicated), or the whole window when the file gave no usable bound.
 */
export function remainderAfterPartial(window: BulkWindow): BulkWindow {
  if (!window.readUpTo || window.unordered) return { from: window.from, to: window.to };
  return { from: window.readUpTo, to: window.to };
}

export const startOfDay = (ms: number) => Math.floor(ms / DAY_MS) * DAY_MS;
const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");

/** The Shopify search of a window: quoted instants at UTC midnights, so whole-day matching (customers) partitions exactly. */
export function windowSearch(window: Pick<BulkWindow, "from" | "to">): string {
  const terms = [window.from ? `updated_at:>='${window.from}'` : null, window.to ? `updated_at:<'${window.to}'` : null].filter(Boolean);
  return terms.length ? terms.join(" AND ") : "updated_at:>='1970-01-01T00:00:00Z'";
}

/** The next window from `from` (ms, a UTC midnight): `days` long, or open-ended when it would reach `now`. */
export function nextWindow(from: number, days: number, now: number): BulkWindow {
  const to = from + days * DAY_MS;
  return { from: iso(from), to: to > startOfDay(now) ? null : iso(to) };
}

/** A window whose job ran too long, as two halves (whole days); a one-day window cannot be split. */
export function halve(window: BulkWindow, now: number): BulkWindow[] | undefined {
  const from = window.from ? Date.parse(window.from) : undefined;
  const to = window.to ? Date.parse(window.to) : startOfDay(now) + DAY_MS;
  if (from === undefined) return undefined;
  const days = Math.round((to - from) / DAY_MS);
  if (days < 2) return undefined;
  const middle = from + Math.floor(days / 2) * DAY_MS;
  return [
    { from: window.from, to: iso(middle) },
    { from: iso(middle), to: window.to },
  ];
}

/** The window size after a job that took `ms` over `days`. */
export function adaptDays(days: number, ms: number): number {
  if (ms < FAST_JOB_MS) return Math.min(MAX_WINDOW_DAYS, days * 2);
  if (ms > MAX_JOB_MS / 2) return Math.max(1, Math.floor(days / 2));
  return days;
}
