import { z } from "zod";
import { customerSchema, refundReceiptSchema, salesReceiptSchema } from "./schemas.js";

export const ENTITY_NAMES = ["Customer", "SalesReceipt", "RefundReceipt"] as const;
export type EntityName = (typeof ENTITY_NAMES)[number];

export const ENTITY_KINDS = {
  customer: { entity: "Customer", schema: customerSchema, idField: "customer_id" },
  sales_receipt: { entity: "SalesReceipt", schema: salesReceiptSchema, idField: "receipt_id" },
  refund_receipt: { entity: "RefundReceipt", schema: refundReceiptSchema, idField: "refund_id" },
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
  return Object.fromEntries(
    Object.entries(ENTITY_KINDS).map(([kind, def]) => [kind, z.toJSONSchema(def.schema, { unrepresentable: "any" })]),
  ) as Record<EntityKind, unknown>;
}
