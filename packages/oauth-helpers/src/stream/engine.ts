// The stream engine: one page of a sync stream per route invocation (the host calls again
// while hasMore). A stream is a spec: how to fetch a page, how to map an object, how its
// checkpoint stores the position; the engine does the rest, the same for every connector:
//   - incremental passes: a pass reads from the previous pass's high-water mark minus the
//     stream's lookback; the mark is the pass's start ("pass_start", the provider's clock)
//     or the latest updated_at read ("max_updated_at");
//   - cursor pagination within a pass and its partitions; an expired cursor restarts the
//     query from the latest updated_at read (results ascending) or the partition's bound;
//   - pages committed part-way: `complete` may finish only a prefix of a page (a follow-up
//     read was throttled); the prefix commits and the next invocation resumes after it, at
//     the object's own cursor when the provider gives one, else by re-reading the page;
//   - a page-planning hook (Shopify's query cost: wait for the bucket before fetching) and
//     an `alternate` step that may take the invocation over (Shopify's bulk operations);
//   - one failure mapping (provider-failure.ts) and one map-and-skip loop (mapping.ts).
// The checkpoint is staged with the page's records and commits with them, or not at all.
import { Checkpoint, api, log, type EntityKind } from "@backfill-io/sdk";
import { mapAndIngest, type IngestSummary, type MappedRecord } from "./mapping.js";
import { flatCursorLayout, type CheckpointLayout, type FlatCursorCheckpoint, type PassPosition, type Partition, type StreamPosition } from "./position.js";
import { ProviderFailureError, thrownFailureResponse, type ProviderFailure } from "./provider-failure.js";
import { instantBefore, laterOf, latestOf, providerClock } from "./timestamps.js";

export type PageQuery<P extends Partition> = {
  partition: P;
  /** Lower bound of updated_at (undefined: the whole history). */
  since: string | undefined;
  cursor: string | undefined;
  /** From `planPage`: how many objects to ask for. */
  size?: number | undefined;
};

export type FetchedPage<Item> = {
  items: Item[];
  /** The next page's cursor; undefined: this partition is read. */
  nextCursor?: string | undefined;
  /** Each object's own cursor (GraphQL edges): a page done part-way resumes after the last done object. */
  itemCursors?: readonly (string | undefined)[] | undefined;
  /** The provider's HTTP Date header: a "pass_start" pass starts in the provider's clock. */
  date?: string | undefined;
};

/** What `complete` finished: `done[i]` is `items[i]` completed, a prefix; `stop` why it ended early. */
export type Completion<Done> = { done: Done[]; stop?: { failure: ProviderFailure; pauseSeconds?: number | undefined } | undefined };

export type PagePlan = { size?: number } | { waitSeconds: number; reason: string };

export type PageReport<Item, P extends Partition> = { items: readonly Item[]; kept: number; partition: P | undefined; index: number; of: number };

export type StreamSpec<S extends Record<string, unknown>, Item, Done = Item, P extends Partition = Partition, M = undefined, C = undefined> = {
  stream: string;
  kind: EntityKind;
  layout: CheckpointLayout<S, P, M>;
  /** The next pass's bound: when this pass started, or the latest updated_at it read. */
  watermark: "pass_start" | "max_updated_at";
  /** How far before the high-water mark the next pass starts (providers' eventual consistency, whole-day searches). */
  lookbackMs?: number;
  /** Results come sorted by updated_at ascending, so the latest read is a restart point (default true). */
  ascendingByUpdatedAt?: boolean;
  /** Per-invocation state the hooks share (a GraphQL session counting calls). */
  open?: () => C;
  /** Takes the invocation over when it answers (a bulk pass); otherwise the page path runs. */
  alternate?: (stored: S | undefined, ctx: C) => Response | undefined;
  /** A new pass's partitions (default: one, from the high-water mark minus the lookback). */
  planPass?: (position: StreamPosition<P, M>, ctx: C, bound: string | undefined) => { partitions: P[]; startedAt?: string | undefined };
  planPage?: (memo: M | undefined, ctx: C) => PagePlan;
  fetchPage: (query: PageQuery<P>, ctx: C) => FetchedPage<Item>;
  /** Reads what a page's objects lack (follow-ups, links to other objects). */
  complete?: (items: Item[], ctx: C) => Completion<Done>;
  idOf: (item: Item) => string;
  updatedAt: (item: Item) => string | undefined;
  /** Objects to store (others are read but not records: pending refunds, return orders). */
  keep?: (done: Done) => boolean;
  /** Canonical records for an object; throws MappingError for one it cannot map. */
  toRecords: (done: Done) => readonly MappedRecord[];
  afterPage?: (ctx: C, memo: M | undefined, query: PageQuery<P>) => { memo?: M | undefined; pauseSeconds?: number | undefined };
  passEnded?: (pass: PassPosition<P>, memo: M | undefined) => M | undefined;
  /** The provider failure a thrown error stands for (undefined: a defect, rethrown). */
  failureOf?: (error: unknown) => ProviderFailure | undefined;
  /** Extra fields of the route's answer. */
  report?: (page: PageReport<Item, P>, ctx: C) => Record<string, unknown>;
};

export type StreamPageAnswer = IngestSummary & { stream: string; fetched: number; hasMore: boolean };

type Spec<S extends Record<string, unknown>, Item, Done, P extends Partition, M, C> = StreamSpec<S, Item, Done, P, M, C>;

function newPass<S extends Record<string, unknown>, Item, Done, P extends Partition, M, C>(
  spec: Spec<S, Item, Done, P, M, C>,
  position: StreamPosition<P, M>,
  ctx: C,
): PassPosition<P> {
  const since = spec.lookbackMs ? instantBefore(position.highWater, spec.lookbackMs) : position.highWater;
  const planned = spec.planPass?.(position, ctx, since) ?? { partitions: [{ since } as P] };
  return { partitions: planned.partitions, index: 0, startedAt: planned.startedAt };
}

/** Where a re-read page resumes: after its done objects, or from its start when the page changed. */
function resumeIndex<Item>(stream: string, pass: PassPosition<Partition>, items: readonly Item[], idOf: (item: Item) => string): number {
  const done = pass.pageDone;
  if (!done) return 0;
  if (done.count <= items.length && idOf(items[done.count - 1]!) === done.lastId) return done.count;
  log.info("page changed since it was partly read; reading it from its start", { stream, done: done.count, pageSize: items.length });
  return 0;
}

function fetchWithRestart<S extends Record<string, unknown>, Item, Done, P extends Partition, M, C>(
  spec: Spec<S, Item, Done, P, M, C>,
  pass: PassPosition<P>,
  query: PageQuery<P>,
  ctx: C,
): { page: FetchedPage<Item>; query: PageQuery<P>; restartedAfter?: string } {
  try {
    return { page: spec.fetchPage(query, ctx), query };
  } catch (error) {
    const failure = error instanceof ProviderFailureError ? error.failure : spec.failureOf?.(error);
    if (failure?.kind !== "invalid_cursor" || query.cursor === undefined) throw error;
    const partition = pass.partitions[pass.index]!;
    const since = (spec.ascendingByUpdatedAt ?? true) ? (pass.seenHighWater ?? partition.since) : partition.since;
    pass.pageDone = undefined;
    const restarted = { ...query, since, cursor: undefined };
    return { page: spec.fetchPage(restarted, ctx), query: restarted, restartedAfter: failure.code };
  }
}

/** One page (or one `alternate` step) of the stream `spec`. */
export function syncStreamPage<S extends Record<string, unknown>, Item, Done = Item, P extends Partition = Partition, M = undefined, C = undefined>(
  spec: StreamSpec<S, Item, Done, P, M, C>,
): Response {
  const stored = Checkpoint.get(spec.stream, spec.layout.schema);
  try {
    const ctx = (spec.open?.() ?? undefined) as C;
    const taken = spec.alternate?.(stored, ctx);
    if (taken) return taken;
    const position = spec.layout.read(stored);
    const plan = spec.planPage?.(position.memo, ctx) ?? {};
    if ("waitSeconds" in plan) return api.retryAfter(plan.waitSeconds, plan.reason, { stream: spec.stream });
    return pageStep(spec, position, ctx, plan.size);
  } catch (error) {
    return thrownFailureResponse(error, spec.failureOf, { stream: spec.stream });
  }
}

function pageStep<S extends Record<string, unknown>, Item, Done, P extends Partition, M, C>(
  spec: Spec<S, Item, Done, P, M, C>,
  position: StreamPosition<P, M>,
  ctx: C,
  size: number | undefined,
): Response {
  const pass = position.pass ?? newPass(spec, position, ctx);
  position.pass = pass;
  const { index, partitions } = pass;
  const partition = partitions[index];
  if (!partition) return commitPage(spec, position, ctx, { fetched: [], kept: 0, summary: emptySummary(), hasMore: endPass(spec, position), index, of: partitions.length });

  const since = pass.cursor !== undefined || pass.pageDone ? (pass.cursorSince ?? partition.since) : partition.since;
  const fetched = fetchWithRestart(spec, pass, { partition, since, cursor: pass.cursor, size }, ctx);
  const { page, query } = fetched;
  if (spec.watermark === "pass_start") pass.startedAt ??= providerClock(page.date);

  const skip = resumeIndex(spec.stream, pass, page.items, spec.idOf);
  const rest = page.items.slice(skip);
  const completion: Completion<Done> = spec.complete ? spec.complete(rest, ctx) : { done: rest as unknown as Done[] };
  const count = completion.done.length;
  if (count === 0 && rest.length > 0) {
    // Not even the first object could be completed: nothing to keep, the page is read again.
    if (completion.stop) throw new ProviderFailureError(completion.stop.failure);
    throw new Error(`${spec.stream}: no object of the page could be completed`);
  }
  const doneItems = rest.slice(0, count);
  const pairs = doneItems.map((item, i) => ({ item, done: completion.done[i]! }));
  const kept = spec.keep ? pairs.filter((p) => spec.keep!(p.done)) : pairs;
  const summary = mapAndIngest(
    spec.kind,
    spec.stream,
    kept,
    (p) => spec.idOf(p.item),
    (p) => spec.toRecords(p.done),
  );

  // The partition's latest updated_at: a restart point (ascending results) and a "max_updated_at" watermark.
  const tracksSeen = (spec.ascendingByUpdatedAt ?? true) || spec.watermark === "max_updated_at";
  const seen = tracksSeen ? latestOf(doneItems.map(spec.updatedAt), pass.seenHighWater) : undefined;
  const end = skip + count;
  let hasMore = true;
  if (end < page.items.length) {
    const resumeAt = page.itemCursors?.[end - 1];
    log.info("page ends early: an object could not be completed", { stream: spec.stream, done: end, pageSize: page.items.length });
    Object.assign(pass, {
      cursor: resumeAt ?? query.cursor,
      cursorSince: query.since,
      seenHighWater: seen,
      pageDone: resumeAt ? undefined : { count: end, lastId: spec.idOf(page.items[end - 1]!) },
    });
  } else if (page.nextCursor) {
    Object.assign(pass, { cursor: page.nextCursor, cursorSince: query.since, seenHighWater: seen, pageDone: undefined });
  } else if (index + 1 < partitions.length) {
    foldSeen(spec, position, seen);
    Object.assign(pass, { index: index + 1, cursor: undefined, cursorSince: undefined, seenHighWater: undefined, pageDone: undefined });
  } else {
    foldSeen(spec, position, seen);
    hasMore = endPass(spec, position);
  }
  const after = spec.afterPage?.(ctx, position.memo, query) ?? {};
  if ("memo" in after) position.memo = after.memo;
  const partialPage = end < page.items.length;
  // A page cut short by a throttled read lets the provider's limit recover before the rest.
  const pauseSeconds = hasMore ? ((partialPage ? completion.stop?.pauseSeconds : undefined) ?? after.pauseSeconds) : undefined;
  const partial = partialPage ? { page: { done: end, of: page.items.length } } : {};
  const restarted = fetched.restartedAfter ? { restartedAfter: fetched.restartedAfter } : {};
  return commitPage(spec, position, ctx, {
    fetched: doneItems,
    kept: kept.length,
    summary,
    hasMore,
    pauseSeconds,
    extra: { ...partial, ...restarted },
    partition,
    index,
    of: partitions.length,
  });
}

/** A "max_updated_at" stream's next bound takes in what a partition read (the bound stays fixed while a query pages). */
function foldSeen<S extends Record<string, unknown>, Item, Done, P extends Partition, M, C>(
  spec: Spec<S, Item, Done, P, M, C>,
  position: StreamPosition<P, M>,
  seen: string | undefined,
): void {
  if (spec.watermark === "max_updated_at") position.highWater = laterOf(position.highWater, seen);
}

/** Ends the pass: the next one starts from the watermark. Returns hasMore (false). */
function endPass<S extends Record<string, unknown>, Item, Done, P extends Partition, M, C>(spec: Spec<S, Item, Done, P, M, C>, position: StreamPosition<P, M>): false {
  const pass = position.pass!;
  if (spec.watermark === "pass_start") position.highWater = pass.startedAt ?? position.highWater;
  if (spec.passEnded) position.memo = spec.passEnded(pass, position.memo);
  position.pass = undefined;
  return false;
}

const emptySummary = (): IngestSummary => ({ accepted: 0, rejected: 0, errors: [], skipped: [] });

type PageOutcome<Item, P extends Partition> = {
  fetched: Item[];
  kept: number;
  summary: IngestSummary;
  hasMore: boolean;
  pauseSeconds?: number | undefined;
  extra?: Record<string, unknown>;
  partition?: P | undefined;
  index: number;
  of: number;
};

function commitPage<S extends Record<string, unknown>, Item, Done, P extends Partition, M, C>(
  spec: Spec<S, Item, Done, P, M, C>,
  position: StreamPosition<P, M>,
  ctx: C,
  outcome: PageOutcome<Item, P>,
): Response {
  const pause = outcome.pauseSeconds ? { pauseSeconds: outcome.pauseSeconds } : {};
  Checkpoint.set(spec.stream, spec.layout.write(position), { hasMore: outcome.hasMore, ...pause });
  const report = spec.report?.({ items: outcome.fetched, kept: outcome.kept, partition: outcome.partition, index: outcome.index, of: outcome.of }, ctx) ?? {};
  const answer: StreamPageAnswer = { stream: spec.stream, fetched: outcome.fetched.length, ...outcome.summary, hasMore: outcome.hasMore };
  return api.json({ ...answer, ...(outcome.extra ?? {}), ...report });
}

/** A stream with one partition a pass and the flat checkpoint layout (most REST list endpoints). */
export type FlatStreamSpec<Item, Done = Item, C = undefined> = Omit<StreamSpec<FlatCursorCheckpoint, Item, Done, Partition, undefined, C>, "layout">;

export function flatStream<Item, Done = Item, C = undefined>(spec: FlatStreamSpec<Item, Done, C>): StreamSpec<FlatCursorCheckpoint, Item, Done, Partition, undefined, C> {
  return { ...spec, layout: flatCursorLayout };
}
