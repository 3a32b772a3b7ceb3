// Validation of ingested payloads against the canonical schemas, shared by both bindings.
import { ENTITY_KINDS, type EntityKind } from "../entities/registry.js";

export type IngestItem = { idempotencyKey: string; payload: unknown };
export type IngestError = { index: number; path: string; message: string };
export type IngestResult = { accepted: number; rejected: number; errors: IngestError[] };
export type ValidatedItem = { index: number; idempotencyKey: string; payload: Record<string, unknown> };

export function validateIngestItems(
  kind: EntityKind,
  items: readonly IngestItem[],
  continueOnError: boolean,
): { result: IngestResult; valid: ValidatedItem[] } {
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
