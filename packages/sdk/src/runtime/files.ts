// Files: large provider files (a bulk export's JSONL result, possibly gigabytes). The host
// streams the body to its own storage and the route only ever holds metadata and one
// slice of lines at a time, so a file never has to fit in memory. A file belongs to the
// connection and a stream; the host removes it when that stream's sync ends.
import { currentBinding, type DownloadedFile, type FileLines, type HostBinding, type OAuthHttpAuth, type ReadLinesOptions } from "./binding.js";
import { BackfillError } from "./errors.js";
import { HOST_CAPABILITY_MISSING } from "./error-codes.js";
import { DEFAULT_DOWNLOAD_TIMEOUT_MS } from "../policy/files.js";

export type FileDownloadOptions = {
  /** The manifest stream the file belongs to (removed when that stream's sync ends). */
  stream: string;
  /** The download fails with `file_too_large` past this many bytes (at most permissions.files.maxBytes). */
  maxBytes: number;
  headers?: Record<string, string>;
  /** Deadline of the whole download; default 10 minutes. */
  timeoutMs?: number;
  /**
   * Attach the connection's OAuth token (only to a token host, and never across a redirect
   * to another origin). A signed URL needs none: leave it off.
   */
  auth?: { oauth?: true | OAuthHttpAuth };
};

type FilesBinding = Required<Pick<HostBinding, "downloadFile" | "readFileLines" | "removeFile">>;

function filesBinding(call: string): FilesBinding {
  const binding = currentBinding(call);
  if (!binding.downloadFile || !binding.readFileLines || !binding.removeFile)
    throw new BackfillError(HOST_CAPABILITY_MISSING, `${call}: this Backfill host does not support files`);
  return binding as HostBinding & FilesBinding;
}

export const Files = {
  /**
   * Streams `url` to host storage (never whole in memory), checked like Http: the URL and
   * every redirect by permissions.http. Returns the file's id, size and SHA-256 (hex).
   */
  download(url: string, opts: FileDownloadOptions): DownloadedFile {
    const oauth = opts.auth?.oauth;
    return filesBinding("Files.download").downloadFile({
      url,
      stream: opts.stream,
      maxBytes: opts.maxBytes,
      headers: { ...(opts.headers ?? {}) },
      timeoutMs: opts.timeoutMs ?? DEFAULT_DOWNLOAD_TIMEOUT_MS,
      ...(oauth ? { auth: { oauth: oauth === true ? {} : oauth } } : {}),
    });
  },
  /**
   * Whole lines from byte `offset` (0, or a previous nextOffset): at most `maxLines` lines and
   * `maxBytes` bytes (default 1000 and 1 MiB). Store `{ fileId, offset: nextOffset }` in the
   * checkpoint; `eof` says the file is read. A line longer than maxBytes is `file_line_too_long`.
   */
  readLines(fileId: string, opts: Partial<ReadLinesOptions> = {}): FileLines {
    return filesBinding("Files.readLines").readFileLines(fileId, { offset: opts.offset ?? 0, maxLines: opts.maxLines ?? 1000, maxBytes: opts.maxBytes ?? 1024 * 1024 });
  },
  /** Deletes the file now (the host also removes it when its stream's sync ends). True when it existed. */
  remove(fileId: string): boolean {
    return filesBinding("Files.remove").removeFile(fileId);
  },
};
