// The vault: a keyring of data keys (each wrapped by the master key in `vault_keys`),
// one of them active. Values are sealed with the active key; the key id inside each
// value says which key opens it, so a rotation can move everything to a new key.
// Two rotations: rotateDataKey() (new data key, every secret re-encrypted) and
// rotateMasterKey() (the keyring re-wrapped under a new master key, by default with a
// new data key too). A long-running vault notices either one made by another process
// through the keyring's generation and reloads, or refuses with master_key_rotated.
import { randomBytes, timingSafeEqual } from "node:crypto";
import type { Store } from "../store/store.js";
import { ENCRYPTED_COLUMNS, type VaultKeysTable } from "../store/schema.js";
import { BackfillError } from "@backfill-io/sdk";
import {
  MASTER_KEY_MISMATCH,
  MASTER_KEY_ROTATED,
  MASTER_KEY_UNCHANGED,
  VAULT_UNKNOWN_KEY,
  openWithKey,
  parseSealed,
  sealWithKey,
  type VaultAad,
  type VaultErrorCode,
} from "./cipher.js";
import type { KeyringReader } from "./keyring-reader.js";

const MASTER_KEY_ID = "m";

function newKeyId(): string {
  return `k${randomBytes(5).toString("hex")}`;
}

export type RotateResult = {
  keyId: string;
  previousKeyIds: string[];
  reencrypted: number;
  /** False when another connection kept the WAL from being emptied (see ScrubResult). */
  walTruncated: boolean;
};

export type MasterKeyRotateResult = RotateResult & { rewrapped: number };

export type VaultOptions = {
  /** Synchronous keyring reads: without them a rotation by another process is not noticed. */
  keyring?: KeyringReader;
  /** The master keys to try after another process rotated (the key file re-read, master.key.next). */
  masterKeyCandidates?: () => Buffer[];
  /** Where the master key came from (BACKFILL_MASTER_KEY or a file), for messages. */
  masterKeySource?: string;
};

type Keyring = { keys: Map<string, Buffer>; activeKeyId: string };

const wrapAad = (id: string) => ({ table: "vault_keys", rowId: id, field: "key" });

/** The data keys, when `masterKey` opens every one of them. */
function unwrapKeyring(rows: readonly VaultKeysTable[], masterKey: Buffer): Keyring | undefined {
  const keys = new Map<string, Buffer>();
  let activeKeyId = "";
  for (const row of rows) {
    try {
      keys.set(row.id, Buffer.from(openWithKey(masterKey, parseSealed(row.wrapped_key), wrapAad(row.id)), "base64"));
    } catch {
      return undefined;
    }
    if (row.status === "active") activeKeyId = row.id;
  }
  if (!activeKeyId) throw new BackfillError(VAULT_UNKNOWN_KEY, "the keyring has no active key");
  return { keys, activeKeyId };
}

function sameKey(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

export class Vault {
  private keys = new Map<string, Buffer>();
  private activeKeyId = "";
  private generation = 0;
  /** Set once another process rotated to a master key this vault does not have. */
  private refused: BackfillError<VaultErrorCode> | undefined;
  /** While this vault rotates, the keyring it reads is its own half-written one. */
  private rotating = false;

  private constructor(
    private readonly store: Store,
    private masterKey: Buffer,
    private readonly options: VaultOptions,
  ) {}

  /** Loads the keyring (creating the first data key on a new database). */
  static async open(store: Store, masterKey: Buffer, options: VaultOptions = {}): Promise<Vault> {
    const vault = new Vault(store, masterKey, options);
    await vault.load();
    return vault;
  }

  private get source(): string {
    return this.options.masterKeySource ?? "the master key";
  }

  private async load(): Promise<void> {
    const rows = await this.store.keyring.listKeys();
    if (rows.length === 0) {
      await this.store.transaction(async (tx) => {
        await tx.keyring.lockForChange();
        if (!(await tx.keyring.hasKeys())) {
          await this.insertWrappedKey(tx, this.masterKey, newKeyId(), randomBytes(32), "active", tx.now());
          await this.bumpGeneration(tx);
        }
      });
      await this.options.keyring?.refresh?.();
      return this.load();
    }
    const generation = await this.store.keyring.generation();
    const keyring = unwrapKeyring(rows, this.masterKey);
    if (!keyring) {
      throw new BackfillError(MASTER_KEY_MISMATCH, `${this.source} does not open this database's keyring`, undefined, {
        fix: "set BACKFILL_MASTER_KEY (or restore <data dir>/master.key) to the key this data dir was created with; after an interrupted master-key rotation the new key is in <data dir>/master.key.next",
      });
    }
    this.apply(keyring, generation);
  }

  private apply(keyring: Keyring, generation: number): void {
    this.keys = keyring.keys;
    this.activeKeyId = keyring.activeKeyId;
    this.generation = generation;
  }

  /** Reloads the keyring when another process changed it; refuses once no key we have opens it. */
  private ensureCurrent(): void {
    if (this.refused) throw this.refused;
    const reader = this.options.keyring;
    if (!reader || this.rotating) return;
    const generation = reader.generation();
    if (generation === this.generation) return;
    const rows = reader.rows();
    for (const candidate of [this.masterKey, ...(this.options.masterKeyCandidates?.() ?? [])]) {
      const keyring = unwrapKeyring(rows, candidate);
      if (keyring) {
        this.masterKey = candidate;
        return this.apply(keyring, generation);
      }
    }
    this.keys = new Map();
    this.refused = new BackfillError(
      MASTER_KEY_ROTATED,
      `another process rotated this database's master key; ${this.source} no longer opens its keyring, so this process reads and writes no secret until it is restarted`,
      undefined,
      { fix: "restart this process with the new master key (set BACKFILL_MASTER_KEY to it, or unset it to use <data dir>/master.key)" },
    );
    throw this.refused;
  }

  private async insertWrappedKey(tx: Store, masterKey: Buffer, id: string, key: Buffer, status: "active" | "retired", createdAt: number): Promise<void> {
    const wrapped = sealWithKey(masterKey, MASTER_KEY_ID, key.toString("base64"), wrapAad(id));
    await tx.keyring.insertKey({ id, wrapped_key: wrapped, status, created_at: createdAt });
  }

  private async bumpGeneration(tx: Store): Promise<number> {
    return tx.keyring.bumpGeneration();
  }

  get keyId(): string {
    this.ensureCurrent();
    return this.activeKeyId;
  }

  encrypt(plaintext: string, aad: VaultAad): string {
    this.ensureCurrent();
    return sealWithKey(this.keys.get(this.activeKeyId)!, this.activeKeyId, plaintext, aad);
  }

  decrypt(sealed: string, aad: VaultAad): string {
    this.ensureCurrent();
    return this.decryptWith(this.keys, sealed, aad);
  }

  private decryptWith(keys: Map<string, Buffer>, sealed: string, aad: VaultAad): string {
    const parsed = parseSealed(sealed);
    const key = keys.get(parsed.keyId);
    if (!key) throw new BackfillError(VAULT_UNKNOWN_KEY, `no key ${parsed.keyId} in the keyring for ${aad.table}:${aad.rowId}:${aad.field}`);
    return openWithKey(key, parsed, aad);
  }

  /** Re-encrypts every encrypted column with `keyId`/`key`; returns how many values. */
  private async reencryptAll(tx: Store, keyId: string, key: Buffer): Promise<number> {
    let reencrypted = 0;
    for (const column of ENCRYPTED_COLUMNS) {
      for (const value of await tx.encryptedValues.listSealed(column)) {
        await tx.encryptedValues.replaceSealed(value, sealWithKey(key, keyId, this.decryptWith(this.keys, value.sealed, value.aad), value.aad));
        reencrypted++;
      }
    }
    return reencrypted;
  }

  /**
   * One transaction: optionally a new data key with every value re-encrypted under it,
   * then the whole keyring written again wrapped by `wrapWith`, the generation bumped.
   * Afterwards the database file is rebuilt so no old page keeps old key material.
   */
  private async rewriteKeyring(opts: { wrapWith: Buffer; newDataKey: boolean; action: string }): Promise<MasterKeyRotateResult> {
    this.ensureCurrent();
    const previousKeyIds = [...this.keys.keys()];
    let keyring: Keyring = { keys: this.keys, activeKeyId: this.activeKeyId };
    let reencrypted = 0;
    let generation = this.generation;
    this.rotating = true;
    try {
      await this.store.transaction(async (tx) => {
        await tx.keyring.lockForChange();
        const existing = await tx.keyring.listKeys();
        const createdAt = new Map(existing.map((r) => [r.id, r.created_at]));
        if (opts.newDataKey) {
          const keyId = newKeyId();
          const key = randomBytes(32);
          reencrypted = await this.reencryptAll(tx, keyId, key);
          keyring = { keys: new Map([[keyId, key]]), activeKeyId: keyId };
        }
        await tx.keyring.deleteAllKeys();
        for (const [id, key] of keyring.keys) {
          await this.insertWrappedKey(tx, opts.wrapWith, id, key, id === keyring.activeKeyId ? "active" : "retired", createdAt.get(id) ?? tx.now());
        }
        generation = await this.bumpGeneration(tx);
        await tx.auditLog.append(opts.action, { detail: { keyId: keyring.activeKeyId, previousKeyIds, reencrypted, rewrapped: keyring.keys.size } });
      });
    } finally {
      this.rotating = false;
    }
    this.masterKey = opts.wrapWith;
    this.apply(keyring, generation);
    // A cached keyring would otherwise hand this vault its own pre-rotation keys back.
    await this.options.keyring?.refresh?.();
    const { walTruncated } = await this.store.scrubFreedPages();
    return { keyId: keyring.activeKeyId, previousKeyIds, reencrypted, rewrapped: keyring.keys.size, walTruncated };
  }

  /** Creates a new data key, re-encrypts every encrypted column with it and deletes the old keys. */
  async rotateDataKey(): Promise<RotateResult> {
    const { rewrapped: _rewrapped, ...result } = await this.rewriteKeyring({ wrapWith: this.masterKey, newDataKey: true, action: "vault.rotate" });
    return result;
  }

  /** The data-key rotation's former name. */
  rotate(): Promise<RotateResult> {
    return this.rotateDataKey();
  }

  /**
   * Re-wraps the keyring under `newMasterKey`, so the old master key opens nothing. By
   * default with a new data key as well: a leaked master key plus any earlier copy of the
   * database would otherwise still yield the data keys that seal today's values.
   */
  async rotateMasterKey(newMasterKey: Buffer, opts: { rotateDataKey?: boolean } = {}): Promise<MasterKeyRotateResult> {
    this.ensureCurrent();
    if (sameKey(newMasterKey, this.masterKey)) {
      throw new BackfillError(MASTER_KEY_UNCHANGED, "the new master key is the one already in use", undefined, {
        fix: "generate a new one: 32 random bytes, base64 (openssl rand -base64 32)",
      });
    }
    return this.rewriteKeyring({ wrapWith: newMasterKey, newDataKey: opts.rotateDataKey ?? true, action: "vault.rotate_master_key" });
  }
}
