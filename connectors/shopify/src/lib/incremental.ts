// Incremental sync state, kept in the SDK checkpoint per stream. A pass walks the
// provider's list sorted by updated_at from `since`; `cursor` is where the last
// committed page ended (a crash resumes there, with the same `since`, because a cursor
// is only valid for the query it came from). When a pass ends, the next one starts at
// the high-water mark minus a lookback, so records updated during a pass are not lost.
import type { CostMemory } from "./page-size.js";

export type StreamState = {
  cursor: string | null;
  /** Lower bound of the current pass (ISO), null for a full pass. */
  since: string | null;
  /** Largest updated_at seen so far, across passes. */
  highWater: string | null;
  cost?: CostMemory;
  /** A bulk pass under way (lib/bulk/bulk-pass.ts): its windows, jobs and file offsets. */
  bulk?: unknown;
};

export const EMPTY_STATE: StreamState = { cursor: null, since: null, highWater: null };

export function readState(raw: Record<string, unknown> | undefined): StreamState {
  if (!raw) return { ...EMPTY_STATE };
  const text = (v: unknown) => (typeof v === "string" && v ? v : null);
  return {
    cursor: text(raw.cursor),
    since: text(raw.since),
    highWater: text(raw.highWater),
    ...(raw.cost && typeof raw.cost === "object" ? { cost: raw.cost } : {}),
    ...(raw.bulk && typeof raw.bulk === "object" ? { bulk: raw.bulk } : {}),
  };
}

/** The `since` of the pass this invocation belongs to. */
export function passSince(state: StreamState, lookbackMs: number): string | null {
  if (state.cursor) return state.since;
  if (!state.highWater) return null;
  return new Date(Date.parse(state.highWater) - lookbackMs).toISOString();
}

export function maxIso(a: string | null, b: string | null): string | null {
  if (!a) return b;
  if (!b) return a;
  return Date.parse(b) > Date.parse(a) ? b : a;
}

/** The state after a committed page. */
export function nextState(
  state: StreamState,
  since: string | null,
  page: { hasNextPage: boolean; endCursor: string | null; maxUpdatedAt: string | null },
  cost: CostMemory | undefined,
): { state: StreamState; hasMore: boolean } {
  const highWater = maxIso(state.highWater, page.maxUpdatedAt);
  const more = page.hasNextPage && !!page.endCursor;
  return {
    state: { cursor: more ? page.endCursor : null, since: more ? since : null, highWater, ...(cost ? { cost } : {}) },
    hasMore: more,
  };
}

/** Shopify search: `updated_at:>='2026-01-02T03:04:05Z'` (or a whole day for customers). */
export function updatedSinceQuery(since: string | null, granularity: "instant" | "day"): string | undefined {
  if (!since) return undefined;
  const value = granularity === "day" ? since.slice(0, 10) : since.replace(/\.\d{3}Z$/, "Z");
  return `updated_at:>='${value}'`;
}
