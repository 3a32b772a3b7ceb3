// AES-256-GCM with a random 12-byte IV per value and authenticated data that binds
// the ciphertext to `table:rowId:field`. Format: `v1.<keyId>.<iv>.<ct>.<tag>` (base64url).
import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import { BackfillError } from "@backfill-io/sdk";

export const VAULT_FORMAT_VERSION = "v1";
const IV_BYTES = 12;
const TAG_BYTES = 16;

/** What a ciphertext is bound to. A value copied to another row or field fails to decrypt. */
export type VaultAad = { table: string; rowId: string; field: string };

export function aadString(aad: VaultAad): string {
  return `${aad.table}:${aad.rowId}:${aad.field}`;
}

/** The master key opens the keyring no longer: another process rotated it (restart with the new key). */
export const MASTER_KEY_ROTATED = "master_key_rotated";
/** An existing database and no master key anywhere: nothing is generated, nothing written. */
export const MASTER_KEY_MISSING = "master_key_missing";
/** The master key given does not open this database's keyring. */
export const MASTER_KEY_MISMATCH = "master_key_mismatch";
/** A master-key rotation to the key already in use. */
export const MASTER_KEY_UNCHANGED = "master_key_unchanged";

/** A sealed value does not open with its key and bound row and field (a wrong key, or a value moved to another row). */
export const VAULT_DECRYPT_FAILED = "vault_decrypt_failed";
/** A sealed value is not in the `v1.<keyId>.<iv>.<ct>.<tag>` format. */
export const VAULT_MALFORMED = "vault_malformed";
/** A sealed value names a data key the keyring does not hold (or the keyring has no active key). */
export const VAULT_UNKNOWN_KEY = "vault_unknown_key";
/** The master key given is not base64 of exactly 32 bytes. */
export const VAULT_MASTER_KEY = "vault_master_key";

export type VaultErrorCode =
  | typeof VAULT_DECRYPT_FAILED
  | typeof VAULT_MALFORMED
  | typeof VAULT_UNKNOWN_KEY
  | typeof VAULT_MASTER_KEY
  | typeof MASTER_KEY_ROTATED
  | typeof MASTER_KEY_MISSING
  | typeof MASTER_KEY_MISMATCH
  | typeof MASTER_KEY_UNCHANGED;

export function sealWithKey(key: Buffer, keyId: string, plaintext: string, aad: VaultAad): string {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv("aes-256-gcm", key, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(Buffer.from(aadString(aad), "utf8"));
  const ct = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
  return [VAULT_FORMAT_VERSION, keyId, iv.toString("base64url"), ct.toString("base64url"), cipher.getAuthTag().toString("base64url")].join(".");
}

export type ParsedSealed = { keyId: string; iv: Buffer; ct: Buffer; tag: Buffer };

export function parseSealed(value: string): ParsedSealed {
  const parts = value.split(".");
  if (parts.length !== 5 || parts[0] !== VAULT_FORMAT_VERSION) {
    throw new BackfillError(VAULT_MALFORMED, "encrypted value is not in the v1.<keyId>.<iv>.<ct>.<tag> format");
  }
  const [, keyId, iv, ct, tag] = parts as [string, string, string, string, string];
  const parsed = { keyId, iv: Buffer.from(iv, "base64url"), ct: Buffer.from(ct, "base64url"), tag: Buffer.from(tag, "base64url") };
  if (parsed.iv.length !== IV_BYTES || parsed.tag.length !== TAG_BYTES) throw new BackfillError(VAULT_MALFORMED, "encrypted value has a bad IV or tag length");
  return parsed;
}

export function openWithKey(key: Buffer, sealed: ParsedSealed, aad: VaultAad): string {
  try {
    const decipher = createDecipheriv("aes-256-gcm", key, sealed.iv, { authTagLength: TAG_BYTES });
    decipher.setAAD(Buffer.from(aadString(aad), "utf8"));
    decipher.setAuthTag(sealed.tag);
    return Buffer.concat([decipher.update(sealed.ct), decipher.final()]).toString("utf8");
  } catch {
    // Names the binding, never the value.
    throw new BackfillError(VAULT_DECRYPT_FAILED, `cannot decrypt ${aadString(aad)}: wrong key, or the value belongs to another row or field`);
  }
}
