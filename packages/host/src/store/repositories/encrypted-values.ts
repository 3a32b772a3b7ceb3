// Every sealed value of every encrypted column, for the vault's key rotation (re-encrypting
// in place). The column list and the row keys come from ENCRYPTED_COLUMNS only.
import { sql } from "kysely";
import { BackfillError } from "@backfill-io/sdk";
import { STORE_ROW_CORRUPT } from "./json-columns.js";
import { columnAadOf, type ColumnAad, type EncryptedColumn } from "../encrypted-columns.js";
import type { RepositoryContext } from "./context.js";

export type SealedValue = { column: EncryptedColumn; rowKey: Record<string, string>; aad: ColumnAad; sealed: string };

export class EncryptedValuesRepository {
  constructor(private readonly ctx: RepositoryContext) {}

  async listSealed(column: EncryptedColumn): Promise<SealedValue[]> {
    const result = await sql<
      Record<string, unknown>
    >`select ${sql.join([...column.rowId, column.field].map((c) => sql.ref(c)))} from ${sql.table(column.table)} where ${sql.ref(column.field)} is not null`.execute(this.ctx.db);
    return result.rows.map((row) => {
      const rowKey = Object.fromEntries(column.rowId.map((c) => [c, String(row[c])]));
      const sealed = row[column.field];
      if (typeof sealed !== "string")
        throw new BackfillError(STORE_ROW_CORRUPT, `${column.table}.${column.field} of row ${Object.values(rowKey).join("/")} holds a ${typeof sealed}, not a sealed string`, {
          column: `${column.table}.${column.field}`,
          rowId: Object.values(rowKey).join("/"),
        });
      return { column, rowKey, aad: columnAadOf(column, rowKey), sealed };
    });
  }

  async replaceSealed(value: SealedValue, resealed: string): Promise<void> {
    const where = sql.join(
      value.column.rowId.map((c) => sql`${sql.ref(c)} = ${value.rowKey[c]}`),
      sql` and `,
    );
    await sql`update ${sql.table(value.column.table)} set ${sql.ref(value.column.field)} = ${resealed} where ${where}`.execute(this.ctx.db);
  }
}
