// Provider timestamps (RFC 3339 text) compared as instants: providers mix "…Z" and
// "….000Z", so text order is not time order. Values are kept in the provider's own text.

/** The later of two timestamps (either may be missing). */
export function laterOf(a: string | undefined, b: string | undefined): string | undefined {
  if (!a) return b;
  if (!b) return a;
  return Date.parse(b) > Date.parse(a) ? b : a;
}

/** The latest of `timestamps`, starting from `start`. */
export function latestOf(timestamps: readonly (string | undefined)[], start?: string): string | undefined {
  return timestamps.reduce<string | undefined>((acc, t) => laterOf(acc, t), start);
}

/** `iso` moved back by `ms` (ISO with milliseconds), undefined for a missing or unreadable instant. */
export function instantBefore(iso: string | undefined, ms: number): string | undefined {
  if (!iso) return undefined;
  const t = Date.parse(iso);
  return Number.isFinite(t) ? new Date(t - ms).toISOString() : undefined;
}

/** A pass's start in the provider's clock (its HTTP Date header) when sent, else ours. */
export function providerClock(dateHeader: string | undefined, now: () => number = Date.now): string {
  const t = dateHeader ? Date.parse(dateHeader) : NaN;
  return new Date(Number.isFinite(t) ? t : now()).toISOString();
}
