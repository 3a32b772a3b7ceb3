// Validation of ingested payloads against the canonical schemas, shared by both bindings.
import { ENTITY_KINDS, type EntityKind } from "../entities/registry.js";
import type { ConnectorManifest } from "../manifest/schema.js";
import { BackfillError } from "../runtime/errors.js";
import { assertEntityWritable } from "./access.js";

export type IngestItem = { idempotencyKey: string; payload: unknown };
export type IngestError = { index: number; path: string; message: string };
export type IngestResult = { accepted: number; rejected: number; errors: IngestError[] };
export type ValidatedItem = { index: number; idempotencyKey: string; payload: Record<string, unknown> };

export function validateIngestItems(kind: EntityKind, items: readonly IngestItem[], continueOnError: boolean): { result: IngestResult; valid: ValidatedItem[] } {
  const schema = ENTITY_KINDS[kind].schema;
  const errors: IngestError[] = [];
  const valid: ValidatedItem[] = [];
  items.forEach((item, index) => {
    if (!item.idempotencyKey) {
      errors.push({ index, path: "", message: "idempotency key is empty" });
      return;
    }
    const parsed = schema.safeParse(item.payload);
    if (parsed.success) valid.push({ index, idempotencyKey: item.idempotencyKey, payload: parsed.data });
    else for (const issue of parsed.error.issues) errors.push({ index, path: issue.path.map(String).join("."), message: issue.message });
  });
  const rejectedIdx = new Set(errors.map((e) => e.index));
  if (!continueOnError && rejectedIdx.size > 0) {
    return { result: { accepted: 0, rejected: items.length, errors }, valid: [] };
  }
  return { result: { accepted: valid.length, rejected: rejectedIdx.size, errors }, valid };
}

/**
 * What an ingest call stages: the kind checked against the manifest's writes, the items
 * validated. Both sides of the host's bridge run it: the route's side to answer the call at
 * once (the call is then batched with the next one), the host's side again before it stages
 * anything, so a route that skipped the first check still writes nothing invalid.
 */
export function checkIngestCall(
  manifest: ConnectorManifest,
  kind: string,
  items: unknown,
  continueOnError: boolean,
): { kind: EntityKind; result: IngestResult; valid: ValidatedItem[] } {
  const entity = assertEntityWritable(manifest, kind);
  if (!Array.isArray(items)) throw new BackfillError("invalid_request", "ingest: items must be an array");
  return { kind: entity, ...validateIngestItems(entity, items as IngestItem[], continueOnError) };
}
