// Maps one page of Square objects, keeping the ones that map and reporting (by Square
// id and reason, never by value) the ones that cannot be represented.
import { log } from "@backfill-io/sdk";
import { MappingError } from "../mappers/mapping-error.js";

export type Skipped = { id: string; reason: string };

export function mapPage<S extends { id: string }, P>(stream: string, items: readonly S[], mapper: (item: S) => P): { payloads: P[]; skipped: Skipped[] } {
  const payloads: P[] = [];
  const skipped: Skipped[] = [];
  for (const item of items) {
    try {
      payloads.push(mapper(item));
    } catch (error) {
      if (!(error instanceof MappingError)) throw error;
      skipped.push({ id: item.id, reason: error.message });
    }
  }
  if (skipped.length) log.warn("square objects skipped", { stream, skipped });
  return { payloads, skipped };
}
