// JSON text columns are decoded here, once, at the store boundary: each column has a
// schema, and a row whose text does not parse or does not match is refused with
// STORE_ROW_CORRUPT instead of reaching a caller as a silent cast. The error names the
// column and the row, never the text (a payload or settings value may be sensitive).
import { z } from "zod";
import { BackfillError } from "@backfill-io/sdk";

/** A stored row's JSON column does not parse or does not have its column's shape. */
export const STORE_ROW_CORRUPT = "store_row_corrupt";

/** A corrupt JSON column: `details` names the column (`table.column`) and the row's key (its id, or its key columns joined with "/"). */
function corruptRow(column: string, rowId: string, reason: string): BackfillError<typeof STORE_ROW_CORRUPT> {
  return new BackfillError(STORE_ROW_CORRUPT, `${column} of row ${rowId} is corrupt: ${reason}`, { column, rowId });
}

/** Who the operator connects a provider account for (Nango's end user). */
export const END_USER_SCHEMA = z.looseObject({ id: z.string(), email: z.string().optional(), displayName: z.string().optional() });
export type EndUser = { id: string; email?: string; displayName?: string };

export const SETTINGS_SCHEMA = z.record(z.string(), z.unknown());
export const TAGS_SCHEMA = z.record(z.string(), z.string());
export const STRING_LIST_SCHEMA = z.array(z.string());
export const JSON_OBJECT_SCHEMA = z.record(z.string(), z.unknown());

/** Parses `text` and checks it against `schema`; a store_row_corrupt BackfillError names `column` and `rowId` otherwise. */
export function decodeJsonColumn<T>(column: string, rowId: string, text: string, schema: z.ZodType<T>): T {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw corruptRow(column, rowId, "not JSON");
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw corruptRow(column, rowId, describeIssue(parsed.error));
  return parsed.data;
}

/** A nullable JSON column: SQL NULL stays null. */
export function decodeNullableJsonColumn<T>(column: string, rowId: string, text: string | null, schema: z.ZodType<T>): T | null {
  return text === null ? null : decodeJsonColumn(column, rowId, text, schema);
}

// The first issue's path and expectation only: zod's messages say what was expected and
// which type came, not the value.
function describeIssue(error: z.ZodError): string {
  const issue = error.issues[0];
  if (!issue) return "does not match its schema";
  const path = issue.path.length ? issue.path.map(String).join(".") : "(root)";
  return `${path}: ${issue.message}`;
}
