// Large provider files (Files.download / Files.readLines): what a route may download, what
// a valid file id and read are, how a byte window becomes whole lines, and where a
// download's redirect may go with which headers. Both bindings apply these, so a route
// test refuses exactly what the host refuses.
import type { ConnectorManifest } from "../manifest/schema.js";
import type { FileDownloadSpec, FileLines, ReadLinesOptions } from "../runtime/binding.js";
import { BackfillError, PermissionDeniedError } from "../runtime/errors.js";
import { assertHttpAllowed, assertRequestHeadersAllowed } from "./http.js";
import { followRedirect, MAX_REDIRECTS, REDIRECT_STATUSES } from "./redirect.js";
import { assertTokenHost } from "./oauth-hosts.js";

/** Error codes of Files.*: stable, for route code to branch on (defined with every code in error-codes.ts). */
import { FILE_TOO_LARGE, FILE_NOT_FOUND, FILE_LINE_TOO_LONG, FILE_OFFSET_INVALID, FILE_NOT_UTF8 } from "../runtime/error-codes.js";
export { FILE_TOO_LARGE, FILE_NOT_FOUND, FILE_LINE_TOO_LONG, FILE_OFFSET_INVALID, FILE_NOT_UTF8 };

/** Files not removed by their stream's end are purged this long after they were downloaded. */
export const FILE_RETENTION_MS = 7 * 24 * 3600_000;
/** The default deadline of one whole download. */
export const DEFAULT_DOWNLOAD_TIMEOUT_MS = 10 * 60_000;
/** The most bytes (and lines) one Files.readLines may return: a slice must fit a page. */
export const MAX_READ_BYTES = 16 * 1024 * 1024;
export const MAX_READ_LINES = 100_000;

/** `<stream>.<32 hex>`: the stream names the directory, the hex part is random. Nothing else is a file id. */
const FILE_ID = /^([a-z][a-z0-9_]*)\.([0-9a-f]{32})$/;

export function fileIdFor(stream: string, randomHex: string): string {
  const id = `${stream}.${randomHex}`;
  if (!FILE_ID.test(id)) throw new BackfillError("invalid_request", "Files: a file id needs a stream name and 32 hex digits");
  return id;
}

/** The stream a file id belongs to; a malformed id is refused before it can name a path. */
export function parseFileId(call: string, fileId: unknown): { fileId: string; stream: string } {
  const match = typeof fileId === "string" ? FILE_ID.exec(fileId) : null;
  if (!match) throw new BackfillError("invalid_request", `${call}: not a file id (Files.download returns one)`, { rule: "file_id" });
  return { fileId: fileId as string, stream: match[1]! };
}

function assertFilesDeclared(manifest: ConnectorManifest, call: string): { maxBytes: number } {
  const files = manifest.permissions.files;
  if (!files) throw new PermissionDeniedError(`${call}: the manifest does not declare permissions.files`, { rule: "permissions.files" });
  return files;
}

function assertStreamDeclared(manifest: ConnectorManifest, call: string, stream: unknown): string {
  if (typeof stream !== "string" || !manifest.streams.some((s) => s.name === stream)) {
    throw new BackfillError("invalid_request", `${call}: stream must be one of the manifest's streams (${manifest.streams.map((s) => s.name).join(", ") || "none"})`, {
      rule: "file_stream",
    });
  }
  return stream;
}

/**
 * A download the manifest allows: files declared, a declared stream, a size cap within
 * the manifest's, the URL in permissions.http, and a token only for a token host.
 * Returns the URL to fetch first.
 */
export function checkDownload(manifest: ConnectorManifest, settings: Record<string, unknown>, spec: FileDownloadSpec): URL {
  const call = "Files.download";
  const declared = assertFilesDeclared(manifest, call);
  assertStreamDeclared(manifest, call, spec.stream);
  if (!Number.isSafeInteger(spec.maxBytes) || spec.maxBytes <= 0) throw new BackfillError("invalid_request", `${call}: maxBytes must be a positive integer`);
  if (spec.maxBytes > declared.maxBytes) {
    throw new PermissionDeniedError(`${call}: maxBytes ${spec.maxBytes} is more than permissions.files.maxBytes (${declared.maxBytes})`, { rule: "permissions.files" });
  }
  if (!Number.isSafeInteger(spec.timeoutMs) || spec.timeoutMs <= 0) throw new BackfillError("invalid_request", `${call}: timeoutMs must be a positive integer`);
  const url = assertHttpAllowed(spec.url, manifest.permissions.http);
  assertRequestHeadersAllowed(call, spec.headers);
  if (spec.auth?.oauth) assertTokenHost(url, manifest, settings);
  return url;
}

/** The file a read or remove names, checked against the manifest (its stream must be declared). */
export function checkFileAccess(manifest: ConnectorManifest, call: string, fileId: unknown): { fileId: string; stream: string } {
  assertFilesDeclared(manifest, call);
  const parsed = parseFileId(call, fileId);
  assertStreamDeclared(manifest, call, parsed.stream);
  return parsed;
}

export function checkReadLinesOptions(opts: Partial<ReadLinesOptions> | undefined): ReadLinesOptions {
  const call = "Files.readLines";
  const offset = opts?.offset ?? 0;
  const maxLines = opts?.maxLines ?? 1000;
  const maxBytes = opts?.maxBytes ?? 1024 * 1024;
  if (!Number.isSafeInteger(offset) || offset < 0) throw new BackfillError(FILE_OFFSET_INVALID, `${call}: offset must be a byte offset (an integer ≥ 0)`);
  if (!Number.isSafeInteger(maxLines) || maxLines < 1 || maxLines > MAX_READ_LINES) throw new BackfillError("invalid_request", `${call}: maxLines must be 1 to ${MAX_READ_LINES}`);
  if (!Number.isSafeInteger(maxBytes) || maxBytes < 1 || maxBytes > MAX_READ_BYTES) throw new BackfillError("invalid_request", `${call}: maxBytes must be 1 to ${MAX_READ_BYTES}`);
  return { offset, maxLines, maxBytes };
}

const NEWLINE = 0x0a;
const CARRIAGE_RETURN = "\r";
const utf8 = new TextDecoder("utf-8", { fatal: true });

/**
 * Checks where a read starts: inside the file, and at a line start (offset 0, or just after
 * a newline), so a read never starts inside a line or a UTF-8 character. `byteBefore` is the
 * file's byte at offset - 1 (undefined at offset 0).
 */
export function checkReadStart(offset: number, size: number, byteBefore: number | undefined): void {
  if (offset > size) throw new BackfillError(FILE_OFFSET_INVALID, `Files.readLines: offset ${offset} is past the end of the file (${size} bytes)`);
  if (offset > 0 && byteBefore !== NEWLINE) throw new BackfillError(FILE_OFFSET_INVALID, `Files.readLines: offset ${offset} is not the start of a line (use a nextOffset)`);
}

/**
 * Whole lines from a byte window that starts at `offset` (a line start) and holds at most
 * `maxBytes` bytes; `reachesEnd`: the window ends where the file ends, so a last line without
 * a newline is whole. Lines are cut only at newlines (0x0a never occurs inside a UTF-8
 * character), so no character is split. maxBytes counts line endings.
 */
export function sliceLines(window: Uint8Array, offset: number, opts: ReadLinesOptions, reachesEnd: boolean): FileLines {
  let cut = 0;
  let count = 0;
  while (count < opts.maxLines) {
    const newline = window.indexOf(NEWLINE, cut);
    if (newline < 0) break;
    cut = newline + 1;
    count++;
  }
  // A last line without a newline: whole only when the window reaches the end of the file.
  const unterminated = count < opts.maxLines && reachesEnd && cut < window.length;
  const end = unterminated ? window.length : cut;
  if (end === 0 && window.length > 0) {
    throw new BackfillError(FILE_LINE_TOO_LONG, `Files.readLines: the line at offset ${offset} is longer than maxBytes (${opts.maxBytes}, line ending included)`, {
      offset,
      maxBytes: opts.maxBytes,
    });
  }
  let text: string;
  try {
    text = utf8.decode(window.subarray(0, end));
  } catch {
    throw new BackfillError(FILE_NOT_UTF8, `Files.readLines: the bytes after offset ${offset} are not valid UTF-8`, { offset });
  }
  const lines = text === "" ? [] : text.split("\n");
  if (!unterminated) lines.pop(); // the empty string after the last newline
  for (let i = 0; i < lines.length; i++) if (lines[i]!.endsWith(CARRIAGE_RETURN)) lines[i] = lines[i]!.slice(0, -1);
  const nextOffset = offset + end;
  return { lines, nextOffset, eof: reachesEnd && end === window.length };
}

/** Files.download follows redirects by the one redirect policy (redirect.ts). */
export const DOWNLOAD_REDIRECTS: ReadonlySet<number> = REDIRECT_STATUSES;
export const MAX_DOWNLOAD_REDIRECTS = MAX_REDIRECTS;

/** Where a download's redirect goes (followRedirect, named for Files.download). */
export function downloadRedirect(
  manifest: ConnectorManifest,
  hop: { from: URL; location: string; headers: Record<string, string>; count: number; tokenHeader?: string | undefined },
): { url: URL; headers: Record<string, string> } {
  return followRedirect(manifest, { ...hop, call: "Files.download", maxRedirects: MAX_DOWNLOAD_REDIRECTS });
}
