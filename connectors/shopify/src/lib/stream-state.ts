// The checkpoint of a Shopify stream, parsed by zod (Checkpoint.get(stream, schema)). A pass
// walks the provider's list sorted by updated_at from `since`; `cursor` is where the last
// committed page ended (a crash resumes there, with the same `since`, because a cursor is
// only valid for the query it came from). When a pass ends, the next one starts at the
// high-water mark minus a lookback, so records updated during a pass are not lost.
// `shopifyLayout` maps this stored shape to the stream engine's position (oauth-helpers).
import { z } from "@backfill-io/sdk";
import { laterOf, sparse, type CheckpointLayout, type Partition } from "@backfill-io/oauth-helpers";

const throttleStatus = z.object({ maximumAvailable: z.number(), currentlyAvailable: z.number(), restoreRate: z.number() });

/** What the last page taught about query cost (lib/page-size.ts). */
export const costMemory = z.object({
  costPerNode: z.number().optional(),
  throttle: throttleStatus.optional(),
  /** Epoch ms when `throttle` was observed. */
  observedAt: z.number().optional(),
});
export type CostMemory = z.infer<typeof costMemory>;

/** Text or nothing: an empty string reads as null, as the cursor of no page. */
const optionalText = z
  .string()
  .nullish()
  .transform((v) => v || null);

export const streamCheckpoint = z.object({
  cursor: optionalText,
  /** Lower bound of the current pass (ISO), null for a full pass. */
  since: optionalText,
  /** Largest updated_at seen so far, across passes. */
  highWater: optionalText,
  cost: costMemory.optional(),
  /** A bulk pass under way (lib/bulk/bulk-pass.ts parses it): its windows, jobs and file offsets. */
  bulk: z.unknown().optional(),
});
export type StreamState = z.output<typeof streamCheckpoint>;

export const EMPTY_STATE: StreamState = { cursor: null, since: null, highWater: null };

/** The stored state, or the empty one for a stream's first run. */
export const stateOrEmpty = (stored: StreamState | undefined): StreamState => stored ?? { ...EMPTY_STATE };

/** The `since` of the pass this invocation belongs to. */
export function passSince(state: StreamState, lookbackMs: number): string | null {
  if (state.cursor) return state.since;
  if (!state.highWater) return null;
  return new Date(Date.parse(state.highWater) - lookbackMs).toISOString();
}

/** Shopify's layout: `since` is the pass's bound after the lookback; the cost memory rides along. */
export const shopifyLayout: CheckpointLayout<StreamState, Partition, CostMemory> = {
  schema: streamCheckpoint,
  read(stored) {
    const s = stateOrEmpty(stored);
    const highWater = s.highWater ?? undefined;
    if (!s.cursor) return { highWater, memo: s.cost };
    const since = s.since ?? undefined;
    return { highWater, memo: s.cost, pass: { partitions: [{ since }], index: 0, cursor: s.cursor, cursorSince: since } };
  },
  write({ highWater, pass, memo }) {
    const cursor = pass?.cursor ?? null;
    // The stored highWater takes in what the pass has read so far (the engine folds it at the pass's end).
    const seen = laterOf(highWater, pass?.seenHighWater) ?? null;
    return sparse({ cursor, since: cursor ? (pass?.cursorSince ?? null) : null, highWater: seen, cost: memo });
  },
};

/** Shopify search: `updated_at:>='2026-01-02T03:04:05Z'` (or a whole day for customers). */
export function updatedSinceQuery(since: string | null | undefined, granularity: "instant" | "day"): string | undefined {
  if (!since) return undefined;
  const value = granularity === "day" ? since.slice(0, 10) : since.replace(/\.\d{3}Z$/, "Z");
  return `updated_at:>='${value}'`;
}
