// Locations: SearchOrders takes at most 10 location ids per request, so the orders
// stream walks the seller's locations in batches. The batches are recorded in the
// checkpoint, so a resume after locations change keeps every batch index meaning the
// same set of locations.
import type { SquareLocation } from "./square-types.js";

/** SearchOrders' limit on location_ids per request. */
export const MAX_LOCATIONS_PER_SEARCH = 10;

/** Every location id of a ListLocations answer, sorted and once each (it lists ACTIVE and INACTIVE ones; orders exist for both). */
export function sortedLocationIds(body: { locations?: SquareLocation[] }): string[] {
  return [...new Set((body.locations ?? []).map((l) => l.id))].sort();
}

export function chunk<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
