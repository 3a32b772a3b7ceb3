// The subset of Shopify's search syntax connectors use for incremental syncs:
// `updated_at:>=2026-01-01`, `created_at:<'2026-02-01T00:00:00Z'`, `id:>123`, joined by spaces or AND.
// Unknown terms are ignored, as Shopify ignores filters a resource does not support.

export type Comparator = ">=" | ">" | "<=" | "<" | "=";

export interface SearchTerm {
  field: string;
  comparator: Comparator;
  value: string;
}

const TERM = /^([a-z_]+):(>=|<=|>|<|=)?(.+)$/;

export function parseSearchQuery(query: string | null | undefined): SearchTerm[] {
  if (!query) return [];
  const tokens = query.match(/(?:[^\s'"]+|'[^']*'|"[^"]*")+/g) ?? [];
  const terms: SearchTerm[] = [];
  for (const token of tokens) {
    if (token === "AND") continue;
    const match = TERM.exec(token);
    if (!match) continue;
    const [, field, comparator, raw] = match;
    terms.push({ field: field ?? "", comparator: (comparator as Comparator | undefined) ?? "=", value: (raw ?? "").replace(/^['"]|['"]$/g, "") });
  }
  return terms;
}

const DAY_MS = 86_400_000;

function compareWith(left: number, comparator: Comparator, right: number): boolean {
  switch (comparator) {
    case ">=":
      return left >= right;
    case ">":
      return left > right;
    case "<=":
      return left <= right;
    case "<":
      return left < right;
    case "=":
      return left === right;
  }
}

/**
 * Does a timestamp satisfy the term? With `wholeDays`, both sides are truncated to the UTC
 * day first: Shopify's customer search matches dates that way, so `updated_at:>X` can miss
 * customers updated later on X's day and `>=` returns the whole of that day again.
 */
export function matchesTime(iso: string, term: SearchTerm, wholeDays: boolean): boolean {
  const bound = Date.parse(term.value);
  if (Number.isNaN(bound)) return true;
  let left = Date.parse(iso);
  let right = bound;
  if (wholeDays) {
    left = Math.floor(left / DAY_MS);
    right = Math.floor(right / DAY_MS);
  }
  return compareWith(left, term.comparator, right);
}

export function matchesNumber(value: number, term: SearchTerm): boolean {
  const bound = Number(term.value);
  if (Number.isNaN(bound)) return true;
  return compareWith(value, term.comparator, bound);
}
