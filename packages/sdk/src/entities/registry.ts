import { z } from "zod";
import { customerSchema, refundReceiptSchema, salesReceiptSchema } from "./schemas.js";

export const ENTITY_NAMES = ["Customer", "SalesReceipt", "RefundReceipt"] as const;
export type EntityName = (typeof ENTITY_NAMES)[number];

// versionField: the provider's last-modified time, which orders versions of one record
// (an older version never replaces a newer one; see policy/commit.ts).
export const ENTITY_KINDS = {
  customer: { entity: "Customer", schema: customerSchema, idField: "customer_id", versionField: "provider_updated_at" },
  sales_receipt: { entity: "SalesReceipt", schema: salesReceiptSchema, idField: "receipt_id", versionField: "provider_updated_at" },
  refund_receipt: { entity: "RefundReceipt", schema: refundReceiptSchema, idField: "refund_id", versionField: "provider_updated_at" },
} as const;

export type EntityKind = keyof typeof ENTITY_KINDS;

export function isEntityKind(kind: string): kind is EntityKind {
  return Object.hasOwn(ENTITY_KINDS, kind);
}

export function entityNameForKind(kind: string): EntityName | undefined {
  return isEntityKind(kind) ? ENTITY_KINDS[kind].entity : undefined;
}

/** The canonical entities as JSON Schema, for consumers outside TypeScript. */
export function entityJsonSchemas(): Record<EntityKind, unknown> {
  return Object.fromEntries(Object.entries(ENTITY_KINDS).map(([kind, def]) => [kind, z.toJSONSchema(def.schema, { unrepresentable: "any" })])) as Record<EntityKind, unknown>;
}
