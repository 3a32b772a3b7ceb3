// The one table of encrypted columns: which table and field, and which key columns the AAD
// binds the value to (`<table>:<rowId>:<field>`, rowId the key columns joined with "/").
// Sealing, opening and key rotation all derive the AAD here, so they cannot disagree.
import { ENCRYPTED_COLUMNS } from "./schema.js";

export type EncryptedColumn = (typeof ENCRYPTED_COLUMNS)[number];
/** `table.field` of an encrypted column. */
export type EncryptedColumnName = EncryptedColumn extends infer C ? (C extends { table: infer T extends string; field: infer F extends string } ? `${T}.${F}` : never) : never;
/** The key columns of the rows of column `N`, by name. */
export type EncryptedRowKey<N extends EncryptedColumnName> = EncryptedColumn extends infer C
  ? C extends { table: infer T extends string; field: infer F extends string; rowId: readonly (infer K extends string)[] }
    ? `${T}.${F}` extends N
      ? Record<K, string>
      : never
    : never
  : never;

export type ColumnAad = { table: string; rowId: string; field: string };

export function encryptedColumn(name: EncryptedColumnName): EncryptedColumn {
  const column = ENCRYPTED_COLUMNS.find((c) => `${c.table}.${c.field}` === name);
  if (!column) throw new Error(`${name} is not an encrypted column (ENCRYPTED_COLUMNS)`);
  return column;
}

/** The AAD of a row's value in an encrypted column, from the column's key columns. */
export function columnAadOf(column: EncryptedColumn, rowKey: Readonly<Record<string, unknown>>): ColumnAad {
  return { table: column.table, rowId: column.rowId.map((c) => String(rowKey[c])).join("/"), field: column.field };
}

/** The AAD of column `name` (`table.field`) for the row with these key columns, e.g. `columnAad("oauth_tokens.access_token_enc", { connection_id })`. */
export function columnAad<N extends EncryptedColumnName>(name: N, rowKey: EncryptedRowKey<N>): ColumnAad {
  return columnAadOf(encryptedColumn(name), rowKey);
}
