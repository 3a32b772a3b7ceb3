// The master key: BACKFILL_MASTER_KEY (base64 of 32 bytes), else `<dataDir>/master.key`,
// generated with mode 0600 on the first run of a NEW data dir (with a warning naming the
// file: back it up). Next to an existing database a missing key is an error that writes
// nothing: a new key could not open the secrets already there.
import { closeSync, existsSync, fsyncSync, openSync, readFileSync, renameSync, rmSync, statSync, writeSync } from "node:fs";
import { join } from "node:path";
import { randomBytes } from "node:crypto";
import { DB_FILE_NAME } from "../store/open.js";
import { PRIVATE_FILE_MODE, tightenFileMode } from "../store/data-dir.js";
import { BackfillError } from "@backfill-io/sdk";
import { MASTER_KEY_MISSING, VAULT_MASTER_KEY, type VaultErrorCode } from "./cipher.js";

export const MASTER_KEY_FILE = "master.key";
/** Where a rotation puts the new key until the database has committed to it. */
export const NEXT_MASTER_KEY_FILE = "master.key.next";
export const MASTER_KEY_ENV = "BACKFILL_MASTER_KEY";

export type MasterKeyWarn = (message: string, fields?: Record<string, unknown>) => void;

export type LoadedMasterKey = {
  key: Buffer;
  /** BACKFILL_MASTER_KEY or the file's path, for messages. */
  source: string;
  /** The file it was read from or generated in; null when it came from the environment. */
  file: string | null;
};

export function parseMasterKey(text: string, source: string): Buffer {
  const key = Buffer.from(text.trim(), "base64");
  if (key.length !== 32) {
    throw new BackfillError(VAULT_MASTER_KEY, `${source} must be base64 of exactly 32 bytes (got ${key.length}); generate one with: openssl rand -base64 32`);
  }
  return key;
}

export function generateMasterKey(): Buffer {
  return randomBytes(32);
}

/** The text a master key file holds. */
export function masterKeyFileText(key: Buffer): string {
  return key.toString("base64") + "\n";
}

function readMasterKeyFile(file: string): Buffer {
  tightenFileMode(file);
  return parseMasterKey(readFileSync(file, "utf8"), file);
}

/** The configured master key, or undefined when there is none (nothing is generated). */
export function findMasterKey(opts: { dataDir: string; env?: NodeJS.ProcessEnv }): LoadedMasterKey | undefined {
  const fromEnv = (opts.env ?? process.env)[MASTER_KEY_ENV];
  if (fromEnv) return { key: parseMasterKey(fromEnv, MASTER_KEY_ENV), source: MASTER_KEY_ENV, file: null };
  const file = join(opts.dataDir, MASTER_KEY_FILE);
  if (existsSync(file)) return { key: readMasterKeyFile(file), source: file, file };
  return undefined;
}

/**
 * The keys that may open the keyring after another process rotated it: the configured
 * one, re-read (master.key may have been replaced), and a rotation's master.key.next
 * (it is renamed over master.key only after the database committed).
 */
export function masterKeyCandidates(opts: { dataDir: string; env?: NodeJS.ProcessEnv }): Buffer[] {
  const candidates: Buffer[] = [];
  // A host configured through BACKFILL_MASTER_KEY keeps to it: a key file in the data dir is not its key.
  const fromEnv = Boolean((opts.env ?? process.env)[MASTER_KEY_ENV]);
  const next = () => (fromEnv ? undefined : readMasterKeyFile(join(opts.dataDir, NEXT_MASTER_KEY_FILE)));
  for (const read of [() => findMasterKey(opts)?.key, next]) {
    try {
      const key = read();
      if (key) candidates.push(key);
    } catch {
      // absent or unreadable: not a candidate
    }
  }
  return candidates;
}

/** A database file with content: its keyring needs the key it was created with. */
function hasExistingDatabase(dataDir: string): boolean {
  const file = join(dataDir, DB_FILE_NAME);
  return (existsSync(file) && statSync(file).size > 0) || existsSync(`${file}-wal`);
}

export function masterKeyMissingError(dataDir: string, database = `the existing database in ${dataDir}`): BackfillError<VaultErrorCode> {
  return new BackfillError(MASTER_KEY_MISSING, `no master key for ${database}: ${MASTER_KEY_ENV} is not set and ${join(dataDir, MASTER_KEY_FILE)} does not exist`, undefined, {
    fix: `restore ${join(dataDir, MASTER_KEY_FILE)} from your backup, or set ${MASTER_KEY_ENV} to the key this data dir was created with (a new key cannot open the stored secrets)`,
  });
}

/** Writes a key file (0600) durably: written, flushed to disk, closed. */
function writeKeyFile(file: string, key: Buffer, flag: "wx" | "w"): void {
  if (flag === "w") tightenFileMode(file);
  const fd = openSync(file, flag, PRIVATE_FILE_MODE);
  try {
    writeSync(fd, masterKeyFileText(key));
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

export function loadMasterKey(opts: {
  dataDir: string;
  env?: NodeJS.ProcessEnv;
  warn?: MasterKeyWarn;
  /** A database outside the data dir (PostgreSQL) that already holds a keyring: no new key may be generated for it. */
  externalKeyring?: { location: string };
}): LoadedMasterKey {
  const found = findMasterKey(opts);
  if (found) return found;
  if (opts.externalKeyring) throw masterKeyMissingError(opts.dataDir, opts.externalKeyring.location);
  if (hasExistingDatabase(opts.dataDir)) throw masterKeyMissingError(opts.dataDir);
  const file = join(opts.dataDir, MASTER_KEY_FILE);
  const key = generateMasterKey();
  writeKeyFile(file, key, "wx");
  opts.warn?.(`generated a new master key in ${file} (mode 0600); back it up, or set ${MASTER_KEY_ENV}: without it the encrypted tokens and secrets cannot be read`, { file });
  return { key, source: file, file };
}

/**
 * A new master key staged in `master.key.next` (0600, flushed) before the keyring is
 * re-wrapped; `commit()` renames it over master.key once the database has committed.
 */
export function stageMasterKeyFile(dataDir: string, key: Buffer): { commit(): string; discard(): void } {
  const next = join(dataDir, NEXT_MASTER_KEY_FILE);
  const file = join(dataDir, MASTER_KEY_FILE);
  writeKeyFile(next, key, "w");
  return {
    commit() {
      renameSync(next, file);
      return file;
    },
    discard() {
      rmSync(next, { force: true });
    },
  };
}
