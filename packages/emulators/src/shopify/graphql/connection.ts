// Relay connections the way Shopify pages them: keyset cursors over (sort value, id), so a
// record updated between pages moves instead of being skipped twice or shown twice in place.
import { GraphQLError } from "graphql";

export const MAX_PAGE_SIZE = 250;

export interface ConnectionArgs {
  first?: number | null;
  last?: number | null;
  after?: string | null;
  before?: string | null;
  reverse?: boolean | null;
}

interface CursorPayload {
  last_id: number;
  last_value: string | number;
}

export function encodeCursor(payload: CursorPayload): string {
  return Buffer.from(JSON.stringify(payload)).toString("base64");
}

function decodeCursor(cursor: string): CursorPayload {
  try {
    const parsed = JSON.parse(Buffer.from(cursor, "base64").toString("utf8")) as CursorPayload;
    if (typeof parsed.last_id === "number" && (typeof parsed.last_value === "string" || typeof parsed.last_value === "number")) {
      return parsed;
    }
  } catch {
    // fall through to the error Shopify gives for a cursor it did not issue
  }
  throw new GraphQLError(`Invalid cursor for current pagination sort.`, { extensions: { code: "BAD_REQUEST" } });
}

function compare(a: string | number, aId: number, b: string | number, bId: number): number {
  if (a < b) return -1;
  if (a > b) return 1;
  return aId - bId;
}

export interface Connection<T> {
  nodes: T[];
  edges: Array<{ cursor: string; node: T }>;
  pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; startCursor: string | null; endCursor: string | null };
}

/**
 * Page through `items` sorted by `sortValue` then id. `map` turns a record into its
 * GraphQL object only for the records on the page.
 */
export function paginate<R extends { id: number }, T>(items: readonly R[], args: ConnectionArgs, sortValue: (item: R) => string | number, map: (item: R) => T): Connection<T> {
  const { first, last } = args;
  if ((first === undefined || first === null) && (last === undefined || last === null)) {
    throw new GraphQLError("you must provide one of first or last", { extensions: { code: "BAD_REQUEST" } });
  }
  const size = first ?? last ?? 0;
  if (size > MAX_PAGE_SIZE) {
    throw new GraphQLError(`The page size of ${size} exceeds the maximum of ${MAX_PAGE_SIZE}.`, {
      extensions: { code: "BAD_REQUEST" },
    });
  }
  const direction = args.reverse ? -1 : 1;
  const sorted = items.map((item) => ({ item, value: sortValue(item) })).sort((a, b) => direction * compare(a.value, a.item.id, b.value, b.item.id));
  let start = 0;
  let end = sorted.length;
  if (args.after) {
    const cursor = decodeCursor(args.after);
    start = sorted.findIndex((e) => direction * compare(e.value, e.item.id, cursor.last_value, cursor.last_id) > 0);
    if (start === -1) start = sorted.length;
  }
  if (args.before) {
    const cursor = decodeCursor(args.before);
    const idx = sorted.findIndex((e) => direction * compare(e.value, e.item.id, cursor.last_value, cursor.last_id) >= 0);
    end = idx === -1 ? sorted.length : idx;
  }
  let window = sorted.slice(start, Math.max(start, end));
  let hasNextPage = end < sorted.length;
  let hasPreviousPage = start > 0;
  if (first !== undefined && first !== null) {
    hasNextPage = window.length > first || hasNextPage;
    window = window.slice(0, first);
  } else if (last !== undefined && last !== null) {
    hasPreviousPage = window.length > last || hasPreviousPage;
    window = window.slice(Math.max(0, window.length - last));
  }
  const edges = window.map((e) => ({
    cursor: encodeCursor({ last_id: e.item.id, last_value: e.value }),
    node: map(e.item),
  }));
  return {
    nodes: edges.map((e) => e.node),
    edges,
    pageInfo: {
      hasNextPage,
      hasPreviousPage,
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges.at(-1)?.cursor ?? null,
    },
  };
}
