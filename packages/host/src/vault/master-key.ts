// The master key: BACKFILL_MASTER_KEY (base64 of 32 bytes), else `<dataDir>/master.key`,
// generated with mode 0600 on first run (with a warning naming the file: back it up).
import { chmodSync, existsSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { randomBytes } from "node:crypto";
import { VaultError } from "./cipher.js";

export const MASTER_KEY_FILE = "master.key";
export const MASTER_KEY_ENV = "BACKFILL_MASTER_KEY";

export type MasterKeyWarn = (message: string, fields?: Record<string, unknown>) => void;

export function parseMasterKey(text: string, source: string): Buffer {
  const key = Buffer.from(text.trim(), "base64");
  if (key.length !== 32) {
    throw new VaultError("vault_master_key", `${source} must be base64 of exactly 32 bytes (got ${key.length}); generate one with: openssl rand -base64 32`);
  }
  return key;
}

export function loadMasterKey(opts: { dataDir: string; env?: NodeJS.ProcessEnv; warn?: MasterKeyWarn }): { key: Buffer; source: string } {
  const env = opts.env ?? process.env;
  const fromEnv = env[MASTER_KEY_ENV];
  if (fromEnv) return { key: parseMasterKey(fromEnv, MASTER_KEY_ENV), source: MASTER_KEY_ENV };
  const file = join(opts.dataDir, MASTER_KEY_FILE);
  if (existsSync(file)) {
    const mode = statSync(file).mode & 0o777;
    if (mode & 0o077) chmodSync(file, 0o600);
    return { key: parseMasterKey(readFileSync(file, "utf8"), file), source: file };
  }
  const key = randomBytes(32);
  writeFileSync(file, key.toString("base64") + "\n", { mode: 0o600, flag: "wx" });
  chmodSync(file, 0o600);
  opts.warn?.(
    `generated a new master key in ${file} (mode 0600); back it up, or set ${MASTER_KEY_ENV}: without it the encrypted tokens and secrets cannot be read`,
    { file },
  );
  return { key, source: file };
}
