// The vault's keyring: the wrapped data keys and the generation every change bumps (so
// other processes notice a rotation with one cheap read).
import type BetterSqlite3 from "better-sqlite3";
import type { RepositoryContext } from "./context.js";
import { dialectOf } from "../dialect.js";
import type { VaultKeysTable } from "../schema.js";

export type VaultKeyRow = VaultKeysTable;

export class KeyringRepository {
  constructor(private readonly ctx: RepositoryContext) {}

  /**
   * Run first in a transaction that changes the keyring: two hosts creating the first key
   * or rotating at once take turns (PostgreSQL row lock; SQLite's write transactions are serial).
   */
  async lockForChange(): Promise<void> {
    if (dialectOf(this.ctx.db) !== "postgres") return;
    await this.ctx.db.selectFrom("vault_keyring").select("generation").where("id", "=", 1).forUpdate().execute();
  }

  async listKeys(): Promise<VaultKeyRow[]> {
    return this.ctx.db.selectFrom("vault_keys").selectAll().orderBy("created_at").orderBy("id").execute();
  }

  async hasKeys(): Promise<boolean> {
    return (await this.ctx.db.selectFrom("vault_keys").select("id").executeTakeFirst()) !== undefined;
  }

  async insertKey(row: VaultKeyRow): Promise<void> {
    await this.ctx.db.insertInto("vault_keys").values(row).execute();
  }

  async deleteAllKeys(): Promise<void> {
    await this.ctx.db.deleteFrom("vault_keys").execute();
  }

  async generation(): Promise<number> {
    const row = await this.ctx.db.selectFrom("vault_keyring").select("generation").where("id", "=", 1).executeTakeFirst();
    return row?.generation ?? 0;
  }

  /** Bumps the generation (run in the transaction that changed the keys); returns the new one. */
  async bumpGeneration(): Promise<number> {
    const row = await this.ctx.db
      .updateTable("vault_keyring")
      .set((eb) => ({ generation: eb("generation", "+", 1) }))
      .where("id", "=", 1)
      .returning("generation")
      .executeTakeFirstOrThrow();
    return row.generation;
  }
}

/**
 * The keyring read synchronously over SQLite's own connection, per use (the vault's encrypt and
 * decrypt are synchronous): a prepared single-row generation read, the keys only when it changed.
 */
export function sqliteKeyringReader(sqlite: BetterSqlite3.Database): { generation(): number; rows(): VaultKeysTable[] } {
  const generation = sqlite.prepare<[], number>("select generation from vault_keyring where id = 1").pluck();
  const rows = sqlite.prepare<[], VaultKeysTable>("select id, wrapped_key, status, created_at from vault_keys order by created_at, id");
  return {
    generation: () => generation.get() ?? 0,
    rows: () => rows.all(),
  };
}
