// Master-key rotation for a host: the keyring re-wrapped under the new key and, when the
// key lives in the data dir, master.key replaced. The new key is staged in master.key.next
// first and renamed over master.key only after the database committed, so a crash in
// between leaves both keys on disk and never a keyring without its key.
import type { Host } from "../app/open-host.js";
import type { MasterKeyRotateResult } from "./vault.js";
import { stageMasterKeyFile } from "./master-key.js";

export type MasterKeyRotationResult = MasterKeyRotateResult & {
  /** The master.key written, or null when the new key lives elsewhere (BACKFILL_MASTER_KEY). */
  masterKeyFile: string | null;
};

/**
 * `persist: "data-dir"` writes the new key to <dataDir>/master.key (0600); `"none"` leaves
 * storing it to the operator (a host whose key comes from BACKFILL_MASTER_KEY).
 */
export async function rotateMasterKey(
  host: Pick<Host, "vault" | "dataDir">,
  newKey: Buffer,
  opts: { persist: "data-dir" | "none"; rotateDataKey?: boolean },
): Promise<MasterKeyRotationResult> {
  const staged = opts.persist === "data-dir" ? stageMasterKeyFile(host.dataDir, newKey) : undefined;
  let result: MasterKeyRotateResult;
  try {
    result = await host.vault.rotateMasterKey(newKey, opts.rotateDataKey === undefined ? {} : { rotateDataKey: opts.rotateDataKey });
  } catch (error) {
    staged?.discard();
    throw error;
  }
  return { ...result, masterKeyFile: staged?.commit() ?? null };
}
