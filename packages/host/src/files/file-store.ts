// Where downloaded provider files live: <data dir>/files/<connection>/<stream>/<fileId>,
// directories 0700 and files 0600. A download is written to <fileId>.part and renamed when
// complete, so a file id always names a whole file. Files outlive a host restart (the
// sync resumes from its checkpoint's offset) until their stream's sync ends, an explicit
// remove, or the retention purge.
import { createReadStream } from "node:fs";
import { mkdir, open, readdir, rename, rm, stat, unlink } from "node:fs/promises";
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { BackfillError, type FileLines, type ReadLinesOptions } from "@backfill-io/sdk";
import { checkReadStart, fileIdFor, parseFileId, sliceLines, FILE_NOT_FOUND, FILE_RETENTION_MS } from "@backfill-io/sdk/policy";
import { PRIVATE_DIR_MODE } from "../store/data-dir.js";

const PARTIAL_SUFFIX = ".part";
/** A partial file untouched this long belongs to a download that died with its host (an active one writes every chunk). */
const PARTIAL_RETENTION_MS = 60 * 60_000;
const SAFE_CONNECTION_ID = /^[A-Za-z0-9_-]{1,128}$/;

export type FileStoreOptions = { dir: string; retentionMs?: number; now?: () => number };

export type PartialFile = { fileId: string; partialPath: string; finalPath: string };

export class FileStore {
  readonly dir: string;
  private readonly retentionMs: number;
  private readonly now: () => number;

  constructor(options: FileStoreOptions) {
    this.dir = options.dir;
    this.retentionMs = options.retentionMs ?? FILE_RETENTION_MS;
    this.now = options.now ?? Date.now;
  }

  private connectionDir(connectionId: string): string {
    if (!SAFE_CONNECTION_ID.test(connectionId)) throw new BackfillError("invalid_request", "Files: the connection id cannot name a directory");
    return join(this.dir, connectionId);
  }

  private path(connectionId: string, fileId: string): string {
    const { stream } = parseFileId("Files", fileId);
    return join(this.connectionDir(connectionId), stream, fileId);
  }

  /** A new file's paths, its directory created private. Nothing is written until the caller streams into it. */
  async createPartial(connectionId: string, stream: string): Promise<PartialFile> {
    const fileId = fileIdFor(stream, randomBytes(16).toString("hex"));
    const finalPath = this.path(connectionId, fileId);
    await mkdir(join(this.connectionDir(connectionId), stream), { recursive: true, mode: PRIVATE_DIR_MODE });
    return { fileId, partialPath: finalPath + PARTIAL_SUFFIX, finalPath };
  }

  async complete(partial: PartialFile): Promise<void> {
    await rename(partial.partialPath, partial.finalPath);
  }

  async discard(partial: PartialFile): Promise<void> {
    await rm(partial.partialPath, { force: true });
  }

  /** Whole lines from `opts.offset`, read with one positioned read of at most maxBytes. */
  async readLines(connectionId: string, fileId: string, opts: ReadLinesOptions): Promise<FileLines> {
    let handle;
    try {
      handle = await open(this.path(connectionId, fileId), "r");
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") throw notFound(fileId);
      throw error;
    }
    try {
      const { size } = await handle.stat();
      const start = Math.max(0, opts.offset - 1);
      const length = Math.max(0, Math.min(size, opts.offset + opts.maxBytes) - start);
      const buffer = Buffer.allocUnsafe(length);
      const { bytesRead } = length ? await handle.read(buffer, 0, length, start) : { bytesRead: 0 };
      const window = buffer.subarray(0, bytesRead);
      checkReadStart(opts.offset, size, opts.offset > 0 ? window[0] : undefined);
      const lines = window.subarray(opts.offset > 0 ? 1 : 0);
      return sliceLines(lines, opts.offset, opts, opts.offset + lines.length >= size);
    } finally {
      await handle.close();
    }
  }

  /** A readable stream of a whole stored file (tests and tools compare it with the source). */
  openRead(connectionId: string, fileId: string): NodeJS.ReadableStream {
    return createReadStream(this.path(connectionId, fileId));
  }

  async remove(connectionId: string, fileId: string): Promise<boolean> {
    try {
      await unlink(this.path(connectionId, fileId));
      return true;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return false;
      throw error;
    }
  }

  async removeFiles(connectionId: string, fileIds: readonly string[]): Promise<void> {
    for (const fileId of fileIds) await this.remove(connectionId, fileId);
  }

  /** The stream's sync ended: every file of it goes (partial ones included). */
  async removeStream(connectionId: string, stream: string): Promise<void> {
    if (!/^[a-z][a-z0-9_]*$/.test(stream)) throw new BackfillError("invalid_request", "Files: not a stream name");
    await rm(join(this.connectionDir(connectionId), stream), { recursive: true, force: true });
  }

  /** The file ids stored for a connection's stream (complete files only). */
  async list(connectionId: string, stream: string): Promise<string[]> {
    const names = await readdir(join(this.connectionDir(connectionId), stream)).catch(() => [] as string[]);
    return names.filter((n) => !n.endsWith(PARTIAL_SUFFIX)).sort();
  }

  /** Deletes files past the retention (and partial files of dead downloads); returns how many. */
  async purgeExpired(): Promise<number> {
    const now = this.now();
    let purged = 0;
    for (const connection of await readdir(this.dir).catch(() => [] as string[])) {
      for (const stream of await readdir(join(this.dir, connection)).catch(() => [] as string[])) {
        const streamDir = join(this.dir, connection, stream);
        for (const name of await readdir(streamDir).catch(() => [] as string[])) {
          const file = join(streamDir, name);
          const info = await stat(file).catch(() => undefined);
          if (!info) continue;
          const limit = name.endsWith(PARTIAL_SUFFIX) ? PARTIAL_RETENTION_MS : this.retentionMs;
          if (now - info.mtimeMs < limit) continue;
          await rm(file, { force: true });
          purged++;
        }
      }
    }
    return purged;
  }
}

function notFound(fileId: string): BackfillError {
  return new BackfillError(FILE_NOT_FOUND, "Files.readLines: no such file (removed when its stream's sync ended, or purged after the retention)", { fileId });
}
