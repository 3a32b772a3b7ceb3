// Files for route tests: downloads answered by the runtime's scripted HTTP, kept in memory
// per stream, read through the same policy (and the same line slicing) as the host.
import { randomBytes, createHash } from "node:crypto";
import type { ConnectorManifest } from "../manifest/schema.js";
import { oauthAuthHeader, type DownloadedFile, type FileDownloadSpec, type FileLines, type ReadLinesOptions } from "../runtime/binding.js";
import { BackfillError } from "../runtime/errors.js";
import { describeUrl } from "../policy/http.js";
import {
  checkDownload,
  checkFileAccess,
  checkReadLinesOptions,
  checkReadStart,
  downloadRedirect,
  fileIdFor,
  sliceLines,
  DOWNLOAD_REDIRECTS,
  FILE_NOT_FOUND,
  FILE_TOO_LARGE,
} from "../policy/files.js";
import type { HttpMock, MockResponse } from "./http-mock.js";

export type TestFilesContext = {
  manifest(): ConnectorManifest;
  settings(): Record<string, unknown>;
  accessToken(minTtlSeconds: number): string;
  http: HttpMock;
};

function bodyBytes(mock: MockResponse): Buffer {
  const body = mock.body;
  if (body === undefined || body === null) return Buffer.alloc(0);
  if (typeof body === "string") return Buffer.from(body, "utf8");
  if (body instanceof Uint8Array) return Buffer.from(body);
  return Buffer.from(JSON.stringify(body), "utf8");
}

function header(mock: MockResponse, name: string): string | undefined {
  return Object.entries(mock.headers ?? {}).find(([k]) => k.toLowerCase() === name)?.[1];
}

export class TestFiles {
  private readonly files = new Map<string, { stream: string; bytes: Buffer }>();

  constructor(private readonly ctx: TestFilesContext) {}

  download(spec: FileDownloadSpec): DownloadedFile {
    const manifest = this.ctx.manifest();
    let url = checkDownload(manifest, this.ctx.settings(), spec);
    let headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(spec.headers)) headers[k.toLowerCase()] = String(v);
    let tokenHeader: string | undefined;
    if (spec.auth?.oauth) {
      const [name, value] = oauthAuthHeader(spec.auth.oauth, this.ctx.accessToken(spec.auth.oauth.minTtlSeconds ?? 0));
      tokenHeader = name.toLowerCase();
      headers[tokenHeader] = value;
    }
    for (let count = 0; ; count++) {
      const mock = this.ctx.http.respond({
        method: "GET",
        url: url.toString(),
        body: undefined,
        opts: { headers: { ...headers }, timeoutMs: spec.timeoutMs, ...(spec.auth ? { auth: spec.auth } : {}) },
      });
      const status = mock.status ?? 200;
      const location = header(mock, "location");
      if (DOWNLOAD_REDIRECTS.has(status) && location) {
        ({ url, headers } = downloadRedirect(manifest, { from: url, location, headers, count, tokenHeader }));
        continue;
      }
      if (status < 200 || status >= 300) throw new BackfillError("http_error", `Files.download: ${describeUrl(url.href)} answered ${status}`, { status });
      const bytes = bodyBytes(mock);
      if (bytes.length > spec.maxBytes)
        throw new BackfillError(FILE_TOO_LARGE, `Files.download: ${describeUrl(url.href)} is larger than maxBytes (${spec.maxBytes})`, { maxBytes: spec.maxBytes });
      const fileId = fileIdFor(spec.stream, randomBytes(16).toString("hex"));
      this.files.set(fileId, { stream: spec.stream, bytes });
      return { fileId, bytes: bytes.length, sha256: createHash("sha256").update(bytes).digest("hex") };
    }
  }

  readLines(fileId: string, options: ReadLinesOptions): FileLines {
    const { fileId: id } = checkFileAccess(this.ctx.manifest(), "Files.readLines", fileId);
    const opts = checkReadLinesOptions(options);
    const file = this.files.get(id);
    if (!file) throw new BackfillError(FILE_NOT_FOUND, "Files.readLines: no such file (removed when its stream's sync ended, or purged)", { fileId: id });
    checkReadStart(opts.offset, file.bytes.length, opts.offset > 0 ? file.bytes[opts.offset - 1] : undefined);
    const end = Math.min(file.bytes.length, opts.offset + opts.maxBytes);
    return sliceLines(file.bytes.subarray(opts.offset, end), opts.offset, opts, end === file.bytes.length);
  }

  remove(fileId: string): boolean {
    const { fileId: id } = checkFileAccess(this.ctx.manifest(), "Files.remove", fileId);
    return this.files.delete(id);
  }

  /** What the host does when a stream's sync ends (or a page that downloaded fails). */
  removeWhere(match: (fileId: string, stream: string) => boolean): void {
    for (const [id, file] of this.files) if (match(id, file.stream)) this.files.delete(id);
  }

  /** The ids of the files stored now (of one stream, or all). */
  ids(stream?: string): string[] {
    return [...this.files].filter(([, f]) => stream === undefined || f.stream === stream).map(([id]) => id);
  }

  /** A stored file's bytes (tests compare them with what the mock served). */
  bytes(fileId: string): Buffer | undefined {
    return this.files.get(fileId)?.bytes;
  }
}
