// Where a stream is, as the stream engine sees it. A pass reads the provider's list from a
// lower bound (`since`, from the previous pass's high-water mark) in one or more partitions
// (most streams have one; Square's orders search ≤ 10 locations at a time), page by page
// by cursor. A crash resumes at the committed cursor with the same bound, because a cursor
// is only valid for the query it came from. Each stream stores its position in its own
// checkpoint layout (a zod schema and two pure functions), so stored checkpoints keep
// their shape; `flatCursorLayout` is the layout of a stream with nothing special.
import { z } from "@backfill-io/sdk";

/** A part of a pass read in full before the next; `since` is its lower bound (undefined: all history). */
export type Partition = { since?: string | undefined };

export type PassPosition<P extends Partition> = {
  partitions: P[];
  /** The partition being read. */
  index: number;
  /** When the pass started, in the provider's clock (a "pass_start" watermark's next bound). */
  startedAt?: string | undefined;
  /** The cursor of the next page; with `pageDone`, of the page in progress (undefined: the first page). */
  cursor?: string | undefined;
  /** The lower bound of the query `cursor` belongs to. */
  cursorSince?: string | undefined;
  /** Latest updated_at read in this partition: where a query restarts when its cursor expired. */
  seenHighWater?: string | undefined;
  /** The page in progress: how many of its objects are done, and the id of the last one. */
  pageDone?: { count: number; lastId: string } | undefined;
};

export type StreamPosition<P extends Partition, M> = {
  /** The next pass's bound, before the stream's lookback; fixed while a pass runs. */
  highWater?: string | undefined;
  pass?: PassPosition<P> | undefined;
  /** What the stream's hooks remember across pages and passes (Shopify: the cost bucket). */
  memo?: M | undefined;
};

/** How a stream's checkpoint stores its position. `read` gets what `schema` parsed. */
export type CheckpointLayout<S extends Record<string, unknown>, P extends Partition, M> = {
  schema: z.ZodType<S>;
  read: (stored: S | undefined) => StreamPosition<P, M>;
  write: (position: StreamPosition<P, M>) => S;
};

/** Keys with an undefined value left out (a checkpoint is JSON; the test runtime keeps undefined). */
export function sparse<T extends Record<string, unknown>>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

export const flatCursorCheckpoint = z.object({
  /** The next pass's bound: the start of the last completed pass, or the latest updated_at read. */
  highWater: z.string().optional(),
  passStartedAt: z.string().optional(),
  cursor: z.string().optional(),
  cursorSince: z.string().optional(),
  passHighWater: z.string().optional(),
  pageDone: z.number().int().positive().optional(),
  pageDoneId: z.string().optional(),
});

export type FlatCursorCheckpoint = z.infer<typeof flatCursorCheckpoint>;

/** The page in progress as stored: both fields or none. */
export function pageDoneOf(count: number | undefined, lastId: string | undefined): PassPosition<Partition>["pageDone"] {
  return count !== undefined && lastId !== undefined ? { count, lastId } : undefined;
}

/** One partition a pass, every field at the top level of the checkpoint. */
export const flatCursorLayout: CheckpointLayout<FlatCursorCheckpoint, Partition, undefined> = {
  schema: flatCursorCheckpoint,
  read(stored) {
    const s = stored ?? {};
    const inPass = s.cursor !== undefined || s.pageDone !== undefined;
    if (!inPass) return { highWater: s.highWater };
    return {
      highWater: s.highWater,
      pass: {
        partitions: [{ since: s.highWater }],
        index: 0,
        startedAt: s.passStartedAt,
        cursor: s.cursor,
        cursorSince: s.cursorSince,
        seenHighWater: s.passHighWater,
        pageDone: pageDoneOf(s.pageDone, s.pageDoneId),
      },
    };
  },
  write({ highWater, pass }) {
    if (!pass) return sparse({ highWater });
    return sparse({
      highWater,
      passStartedAt: pass.startedAt,
      cursor: pass.cursor,
      cursorSince: pass.cursorSince,
      passHighWater: pass.seenHighWater,
      pageDone: pass.pageDone?.count,
      pageDoneId: pass.pageDone?.lastId,
    });
  },
};
