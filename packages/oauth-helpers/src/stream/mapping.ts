// Provider objects → canonical records, the same in every stream and webhook: a record the
// mapper cannot represent (a MappingError) is skipped and reported by id and reason (never
// by value), the rest of the page is ingested keyed by the provider's ids.
import { BackfillError, ingest, isBackfillError, log, type EntityKind, type IngestError } from "@backfill-io/sdk";
import { MAPPING_ERROR } from "../error-codes.js";

/**
 * A provider object the mapper cannot turn into a canonical record without inventing or losing
 * data. mapObjects tells it apart by its code (mapping_error); the class survives as the name
 * connectors' mappers throw and their tests expect (`toThrow(MappingError)`).
 */
export class MappingError extends BackfillError<typeof MAPPING_ERROR> {
  constructor(message: string) {
    super(MAPPING_ERROR, message);
    this.name = "MappingError";
  }
}

/**
 * One canonical record: its idempotency key (from provider ids), payload, and what the mapper
 * noticed. `kind` names another entity than the stream's, for records read in the same pass
 * (Shopify's refunds, read with their orders).
 */
export type MappedRecord = { key: string; payload: unknown; warnings?: readonly string[]; kind?: EntityKind };

export type SkippedObject = { id: string; reason: string };

export type IngestSummary = {
  accepted: number;
  rejected: number;
  errors: (IngestError & { key: string | undefined })[];
  skipped: SkippedObject[];
};

/** Maps each object; a MappingError skips that object (reported), any other error propagates. */
export function mapObjects<T>(
  stream: string,
  objects: readonly T[],
  idOf: (object: T) => string,
  toRecords: (object: T) => readonly MappedRecord[],
): { records: MappedRecord[]; skipped: SkippedObject[] } {
  const records: MappedRecord[] = [];
  const skipped: SkippedObject[] = [];
  for (const object of objects) {
    try {
      records.push(...toRecords(object));
    } catch (error) {
      if (!isBackfillError(error, [MAPPING_ERROR])) throw error;
      skipped.push({ id: idOf(object), reason: error.message });
    }
  }
  for (const s of skipped) log.warn("record not mapped", { stream, id: s.id, reason: s.reason });
  for (const r of records) {
    for (const warning of r.warnings ?? []) log.warn("record mapped with a warning", { stream, key: r.key, warning });
  }
  return { records, skipped };
}

/** Stages the records, one batch per kind (a record the canonical schema refuses is counted and logged, not fatal). */
export function ingestRecords(kind: EntityKind, stream: string, records: readonly MappedRecord[], skipped: SkippedObject[] = []): IngestSummary {
  const summary: IngestSummary = { accepted: 0, rejected: 0, errors: [], skipped };
  for (const [batchKind, batch] of byKind(kind, records)) {
    const keys = batch.map((r) => r.key);
    const result = ingest.batch(
      batchKind,
      batch.map((r) => r.payload),
      { stream, continueOnError: true, idempotencyKey: (_payload, index) => keys[index]! },
    );
    for (const e of result.errors) log.error("record rejected by the canonical schema", { stream, key: keys[e.index], path: e.path, message: e.message });
    summary.accepted += result.accepted;
    summary.rejected += result.rejected;
    summary.errors.push(...result.errors.map((e) => ({ ...e, key: keys[e.index] })));
  }
  return summary;
}

/** The records grouped by kind (the stream's first), each group in the order given. */
function byKind(streamKind: EntityKind, records: readonly MappedRecord[]): Map<EntityKind, MappedRecord[]> {
  const groups = new Map<EntityKind, MappedRecord[]>([[streamKind, []]]);
  for (const r of records) {
    const kind = r.kind ?? streamKind;
    let group = groups.get(kind);
    if (!group) groups.set(kind, (group = []));
    group.push(r);
  }
  return groups;
}

/** mapObjects then ingestRecords: the map-and-skip loop of a page or a webhook. */
export function mapAndIngest<T>(
  kind: EntityKind,
  stream: string,
  objects: readonly T[],
  idOf: (object: T) => string,
  toRecords: (object: T) => readonly MappedRecord[],
): IngestSummary {
  const { records, skipped } = mapObjects(stream, objects, idOf, toRecords);
  return ingestRecords(kind, stream, records, skipped);
}
