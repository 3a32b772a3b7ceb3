// The main thread's side of Files.download: the same policy as Http (permissions.http on
// the URL and every redirect, a token only when asked and only for a token host, dropped
// on any cross-origin hop), then the body streamed through a size cap and a SHA-256 into a
// 0600 file: undici's body → CappedDigest → file, never held whole. A timeout per chunk
// (the dispatcher's body timeout: a stall) and one for the whole download; a failure removes
// the partial file. The dispatcher and the error mapping are the host's one HTTP stack (src/http/).
import { createHash } from "node:crypto";
import { createWriteStream } from "node:fs";
import { Transform, type Readable, type TransformCallback } from "node:stream";
import { pipeline } from "node:stream/promises";
import { request } from "undici";
import { BackfillError, type DownloadedFile } from "@backfill-io/sdk";
import { oauthAuthHeader, type FileDownloadSpec } from "@backfill-io/sdk/host";
import { checkDownload, describeUrl, downloadRedirect, DOWNLOAD_REDIRECTS, FILE_TOO_LARGE } from "@backfill-io/sdk/policy";
import { createHostDispatcher, type HostDispatcherOptions } from "../http/dispatcher.js";
import { describeRequest, routeCallError } from "../http/errors.js";
import { flattenHeaders } from "../http/host-http.js";
import { requestDeadline } from "../http/request-deadline.js";
import { PRIVATE_FILE_MODE } from "../store/data-dir.js";
import type { FileStore } from "./file-store.js";
import type { FileDownloadContext } from "../runner/services.js";

export type DownloadRequest = { url: URL; headers: Record<string, string>; signal: AbortSignal };
export type DownloadResponse = { status: number; headers: Record<string, string>; body: Readable };
/** Sends one GET, no redirects followed, and answers the body as a stream. */
export type DownloadTransport = (req: DownloadRequest) => Promise<DownloadResponse>;

export type DownloadTransportOptions = Pick<HostDispatcherOptions, "connectTimeoutMs" | "headersTimeoutMs" | "route"> & {
  /** Longest wait for the next chunk of the body (a stall; the whole download is bounded by its timeoutMs). */
  chunkTimeoutMs?: number;
};

export function createDownloadTransport(options: DownloadTransportOptions = {}): DownloadTransport & { close(): Promise<void> } {
  const { chunkTimeoutMs, ...limits } = options;
  const dispatcher = createHostDispatcher({ ...limits, ...(chunkTimeoutMs !== undefined ? { bodyTimeoutMs: chunkTimeoutMs } : {}) });
  const transport: DownloadTransport = async (req) => {
    const res = await request(req.url, { method: "GET", headers: { "user-agent": "backfill-host", ...req.headers }, dispatcher, signal: req.signal });
    return { status: res.statusCode, headers: flattenHeaders(res.headers), body: res.body };
  };
  return Object.assign(transport, { close: () => dispatcher.close() });
}

/** Counts and hashes the bytes passing through; past `maxBytes` it fails the pipeline. */
export class CappedDigest extends Transform {
  bytes = 0;
  private readonly hash = createHash("sha256");

  constructor(
    private readonly maxBytes: number,
    private readonly shownUrl: string,
  ) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.bytes += chunk.length;
    if (this.bytes > this.maxBytes) return callback(tooLarge(this.shownUrl, this.maxBytes));
    this.hash.update(chunk);
    callback(null, chunk);
  }

  digest(): string {
    return this.hash.digest("hex");
  }
}

function tooLarge(shownUrl: string, maxBytes: number): BackfillError {
  return new BackfillError(FILE_TOO_LARGE, `Files.download: ${shownUrl} is larger than maxBytes (${maxBytes})`, { maxBytes });
}

/** The invocation's side (runner/services.ts FileDownloadContext) and the host's: where to send and store. */
export type DownloadContext = FileDownloadContext & { transport: DownloadTransport; store: FileStore };

function discard(body: Readable): void {
  body.on("error", () => {});
  body.destroy();
}

function downloadError(error: unknown, url: URL): BackfillError {
  return routeCallError("Files.download", error, describeRequest("GET", url));
}

export async function downloadFile(spec: FileDownloadSpec, ctx: DownloadContext): Promise<DownloadedFile> {
  let url = checkDownload(ctx.manifest, ctx.settings, spec);
  let headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(spec.headers ?? {})) headers[k.toLowerCase()] = String(v);
  let tokenHeader: string | undefined;
  if (spec.auth?.oauth) {
    const token = await ctx.accessToken(spec.auth.oauth);
    ctx.redactor.register(token);
    const [name, value] = oauthAuthHeader(spec.auth.oauth, token);
    tokenHeader = name.toLowerCase();
    headers[tokenHeader] = value;
  }
  // The invocation's signal and the download's deadline as one signal.
  const deadline = requestDeadline(spec.timeoutMs, `the download passed its ${spec.timeoutMs} ms deadline`, ctx.signal);
  const { signal } = deadline;
  try {
    for (let count = 0; ; count++) {
      let res: DownloadResponse;
      try {
        res = await ctx.transport({ url, headers, signal });
      } catch (error) {
        throw downloadError(error, url);
      }
      const location = res.headers.location;
      if (DOWNLOAD_REDIRECTS.has(res.status) && location) {
        discard(res.body);
        ({ url, headers } = downloadRedirect(ctx.manifest, { from: url, location, headers, count, tokenHeader }));
        continue;
      }
      if (res.status < 200 || res.status >= 300) {
        discard(res.body);
        throw new BackfillError("http_error", `Files.download: ${describeUrl(url.href)} answered ${res.status}`, { status: res.status });
      }
      const declared = Number(res.headers["content-length"]);
      if (Number.isFinite(declared) && declared > spec.maxBytes) {
        discard(res.body);
        throw tooLarge(describeUrl(url.href), spec.maxBytes);
      }
      return await streamToFile(res.body, spec, url, ctx, signal);
    }
  } finally {
    deadline.clear();
  }
}

async function streamToFile(body: Readable, spec: FileDownloadSpec, url: URL, ctx: DownloadContext, signal: AbortSignal): Promise<DownloadedFile> {
  const partial = await ctx.store.createPartial(ctx.connectionId, spec.stream);
  const digest = new CappedDigest(spec.maxBytes, describeUrl(url.href));
  try {
    // flags "wx": a new file only, created 0600 (no other process ever sees it with looser modes).
    await pipeline(body, digest, createWriteStream(partial.partialPath, { flags: "wx", mode: PRIVATE_FILE_MODE }), { signal });
    await ctx.store.complete(partial);
  } catch (error) {
    discard(body);
    await ctx.store.discard(partial);
    throw downloadError(error, url);
  }
  return { fileId: partial.fileId, bytes: digest.bytes, sha256: digest.digest() };
}
