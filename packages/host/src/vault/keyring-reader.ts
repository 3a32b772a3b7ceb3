// Synchronous reads of the keyring over the database's own SQLite connection. The vault's
// encrypt/decrypt are synchronous, so noticing another process's rotation must be too:
// one prepared single-row read per use, and the keyring itself only when it changed.
import type BetterSqlite3 from "better-sqlite3";
import type { VaultKeysTable } from "../db/schema.js";

export type KeyringReader = {
  /** The keyring's generation (vault_keyring), bumped by every rotation. */
  generation(): number;
  rows(): VaultKeysTable[];
};

export function sqliteKeyringReader(sqlite: BetterSqlite3.Database): KeyringReader {
  const generation = sqlite.prepare<[], number>("select generation from vault_keyring where id = 1").pluck();
  const rows = sqlite.prepare<[], VaultKeysTable>("select id, wrapped_key, status, created_at from vault_keys order by created_at");
  return {
    generation: () => generation.get() ?? 0,
    rows: () => rows.all(),
  };
}
