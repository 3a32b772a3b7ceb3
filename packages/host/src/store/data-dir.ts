// The data dir is private: the directory 0700, every file in it 0600, whatever the umask
// and whatever modes an existing dir had. A path that is not a directory, or a directory
// another user owns, is refused rather than tightened: it is not ours to change.
import { chmodSync, createWriteStream, existsSync, mkdirSync, statSync, writeFileSync, type Stats, type WriteStream } from "node:fs";
import { BackfillError } from "@backfill-io/sdk";

export const DATA_DIR_NOT_DIRECTORY = "data_dir_not_directory";
export const DATA_DIR_NOT_OWNED = "data_dir_not_owned";
export const DATABASE_CORRUPT = "database_corrupt";
export const DATABASE_LOCKED = "database_locked";

export type DataDirErrorCode = typeof DATA_DIR_NOT_DIRECTORY | typeof DATA_DIR_NOT_OWNED | typeof DATABASE_CORRUPT | typeof DATABASE_LOCKED;

export const PRIVATE_DIR_MODE = 0o700;
export const PRIVATE_FILE_MODE = 0o600;

const CHOOSE_ANOTHER = "pass another directory with --data-dir (or BACKFILL_DATA_DIR)";

function statIfExists(path: string): Stats | undefined {
  try {
    return statSync(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT") return undefined;
    if (code === "ENOTDIR") throw new BackfillError(DATA_DIR_NOT_DIRECTORY, `data dir ${path} is inside a file, not a directory`, undefined, { fix: CHOOSE_ANOTHER, cause: error });
    throw error;
  }
}

/** Creates the data dir (0700) or checks and tightens an existing one. */
export function ensureDataDir(dataDir: string): void {
  const existing = statIfExists(dataDir);
  if (!existing) {
    mkdirSync(dataDir, { recursive: true, mode: PRIVATE_DIR_MODE });
    chmodSync(dataDir, PRIVATE_DIR_MODE);
    return;
  }
  if (!existing.isDirectory()) throw new BackfillError(DATA_DIR_NOT_DIRECTORY, `data dir ${dataDir} is a file, not a directory`, undefined, { fix: CHOOSE_ANOTHER });
  const uid = process.getuid?.();
  if (uid !== undefined && existing.uid !== uid) {
    throw new BackfillError(DATA_DIR_NOT_OWNED, `data dir ${dataDir} belongs to user ${existing.uid}, not to this user (${uid})`, undefined, {
      fix: `run as the user who owns it, or ${CHOOSE_ANOTHER}`,
    });
  }
  if (existing.mode & 0o077) chmodSync(dataDir, PRIVATE_DIR_MODE);
}

/** Takes group and other permissions off an existing file. */
export function tightenFileMode(file: string): void {
  const existing = statIfExists(file);
  if (existing && existing.mode & 0o077) chmodSync(file, PRIVATE_FILE_MODE);
}

/** Writes a file only its owner can read, tightening an existing one before writing. */
export function writePrivateFile(file: string, text: string): void {
  tightenFileMode(file);
  writeFileSync(file, text, { mode: PRIVATE_FILE_MODE });
}

/** An append stream to a file only its owner can read (a log in the data dir). */
export function openPrivateAppendStream(file: string): WriteStream {
  tightenFileMode(file);
  return createWriteStream(file, { flags: "a", mode: PRIVATE_FILE_MODE });
}

/** Creates an empty 0600 file unless it exists, so no other process ever sees it with looser modes. */
export function createPrivateFile(file: string): void {
  if (!existsSync(file)) writeFileSync(file, "", { mode: PRIVATE_FILE_MODE, flag: "a" });
  tightenFileMode(file);
}
