// The vault: a keyring of data keys (each wrapped by the master key in `vault_keys`),
// one of them active. Values are sealed with the active key; the key id inside each
// value says which key opens it, so `rotate()` can move everything to a new key.
import { randomBytes } from "node:crypto";
import { sql } from "kysely";
import type { Store } from "../db/store.js";
import { ENCRYPTED_COLUMNS } from "../db/schema.js";
import { VaultError, openWithKey, parseSealed, sealWithKey, type VaultAad } from "./cipher.js";

const MASTER_KEY_ID = "m";

function newKeyId(): string {
  return `k${randomBytes(5).toString("hex")}`;
}

export type RotateResult = { keyId: string; previousKeyIds: string[]; reencrypted: number };

export class Vault {
  private readonly keys = new Map<string, Buffer>();
  private activeKeyId = "";

  private constructor(
    private readonly store: Store,
    private readonly masterKey: Buffer,
  ) {}

  /** Loads the keyring (creating the first data key on a new database). */
  static async open(store: Store, masterKey: Buffer): Promise<Vault> {
    const vault = new Vault(store, masterKey);
    await vault.load();
    return vault;
  }

  private async load(): Promise<void> {
    const rows = await this.store.db.selectFrom("vault_keys").selectAll().orderBy("created_at").execute();
    if (rows.length === 0) {
      await this.store.transaction(async (tx) => {
        const again = await tx.db.selectFrom("vault_keys").select("id").executeTakeFirst();
        if (!again) await this.insertKey(tx, newKeyId(), "active");
      });
      return this.load();
    }
    this.keys.clear();
    for (const row of rows) {
      let key: string;
      try {
        key = openWithKey(this.masterKey, parseSealed(row.wrapped_key), { table: "vault_keys", rowId: row.id, field: "key" });
      } catch {
        throw new VaultError(
          "vault_master_key",
          "the master key does not open this database's keyring: set BACKFILL_MASTER_KEY (or restore master.key) to the key this data dir was created with",
        );
      }
      this.keys.set(row.id, Buffer.from(key, "base64"));
      if (row.status === "active") this.activeKeyId = row.id;
    }
    if (!this.activeKeyId) throw new VaultError("vault_unknown_key", "the keyring has no active key");
  }

  private async insertKey(tx: Store, id: string, status: "active" | "retired"): Promise<Buffer> {
    const key = randomBytes(32);
    const wrapped = sealWithKey(this.masterKey, MASTER_KEY_ID, key.toString("base64"), { table: "vault_keys", rowId: id, field: "key" });
    await tx.db.insertInto("vault_keys").values({ id, wrapped_key: wrapped, status, created_at: tx.now() }).execute();
    return key;
  }

  get keyId(): string {
    return this.activeKeyId;
  }

  encrypt(plaintext: string, aad: VaultAad): string {
    return sealWithKey(this.keys.get(this.activeKeyId)!, this.activeKeyId, plaintext, aad);
  }

  decrypt(sealed: string, aad: VaultAad): string {
    const parsed = parseSealed(sealed);
    const key = this.keys.get(parsed.keyId);
    if (!key) throw new VaultError("vault_unknown_key", `no key ${parsed.keyId} in the keyring for ${aad.table}:${aad.rowId}:${aad.field}`);
    return openWithKey(key, parsed, aad);
  }

  /**
   * Creates a new data key, re-encrypts every encrypted column with it (one
   * transaction) and deletes the old keys.
   */
  async rotate(): Promise<RotateResult> {
    const previousKeyIds = [...this.keys.keys()];
    const keyId = newKeyId();
    let reencrypted = 0;
    let newKey: Buffer | undefined;
    await this.store.transaction(async (tx) => {
      newKey = await this.insertKey(tx, keyId, "retired");
      for (const column of ENCRYPTED_COLUMNS) {
        const rows = await sql<Record<string, string | null>>`select ${sql.join(
          [...column.rowId, column.field].map((c) => sql.ref(c)),
        )} from ${sql.table(column.table)} where ${sql.ref(column.field)} is not null`.execute(tx.db);
        for (const row of rows.rows) {
          const rowId = column.rowId.map((c) => String(row[c])).join("/");
          const aad = { table: column.table, rowId, field: column.field };
          const plaintext = this.decrypt(row[column.field]!, aad);
          const resealed = sealWithKey(newKey, keyId, plaintext, aad);
          let update = sql`update ${sql.table(column.table)} set ${sql.ref(column.field)} = ${resealed} where `;
          update = sql`${update}${sql.join(
            column.rowId.map((c) => sql`${sql.ref(c)} = ${row[c]}`),
            sql` and `,
          )}`;
          await update.execute(tx.db);
          reencrypted++;
        }
      }
      await tx.db.deleteFrom("vault_keys").where("id", "!=", keyId).execute();
      await tx.db.updateTable("vault_keys").set({ status: "active" }).where("id", "=", keyId).execute();
      await tx.audit("vault.rotate", { detail: { keyId, previousKeyIds, reencrypted } });
    });
    this.keys.clear();
    this.keys.set(keyId, newKey!);
    this.activeKeyId = keyId;
    return { keyId, previousKeyIds, reencrypted };
  }
}
