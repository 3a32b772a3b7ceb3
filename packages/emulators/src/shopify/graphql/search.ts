// The subset of Shopify's search syntax connectors use for incremental syncs:
// `updated_at:>=2026-01-01`, `created_at:<'2026-02-01T00:00:00Z'`, `id:>123`, joined by spaces or AND.
// Unknown terms are ignored, as Shopify ignores filters a resource does not support.
// An unquoted timestamp is read as a date in the shop's time zone (its time is dropped), as
// Shopify does: only a quoted one compares instants. https://shopify.dev/docs/api/usage/search-syntax

export type Comparator = ">=" | ">" | "<=" | "<" | "=";

export interface SearchTerm {
  field: string;
  comparator: Comparator;
  value: string;
  /** The value was in quotes: a timestamp compares as an instant, not as a date. */
  quoted: boolean;
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
    const text = raw ?? "";
    const quoted = /^(['"]).*\1$/.test(text);
    terms.push({ field: field ?? "", comparator: (comparator as Comparator | undefined) ?? "=", value: quoted ? text.slice(1, -1) : text, quoted });
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

/** `YYYY-MM-DD` of an instant in a time zone. */
function dateIn(ms: number, timeZone: string): string {
  return new Intl.DateTimeFormat("en-CA", { timeZone, year: "numeric", month: "2-digit", day: "2-digit" }).format(ms);
}

function compareText(left: string, comparator: Comparator, right: string): boolean {
  return compareWith(left < right ? -1 : left > right ? 1 : 0, comparator, 0);
}

/**
 * Does a timestamp satisfy the term? An unquoted value compares by date in the shop's time
 * zone. With `wholeDays`, both sides are truncated to the UTC day first: Shopify's customer
 * search matches dates that way, so `updated_at:>X` can miss customers updated later on X's
 * day and `>=` returns the whole of that day again.
 */
export function matchesTime(iso: string, term: SearchTerm, wholeDays: boolean, shopTimeZone: string): boolean {
  const bound = Date.parse(term.value);
  if (Number.isNaN(bound)) return true;
  if (!term.quoted) {
    const boundDate = /^\d{4}-\d{2}-\d{2}$/.test(term.value) ? term.value : dateIn(bound, shopTimeZone);
    return compareText(dateIn(Date.parse(iso), shopTimeZone), term.comparator, boundDate);
  }
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
