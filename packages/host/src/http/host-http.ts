/**
 * HostHttp: the ONE function every outgoing HTTP request of the host goes through
 * (token endpoints, revocation, and connector `Http.*` calls through hostHttpTransport).
 * Its dispatcher comes from createHostDispatcher (timeouts, the Host rule, dev/demo
 * `providerRoutes`); it adds a per-request deadline and response size limit.
 *
 * Usage: `const http = createHostHttp({ providerRoutes }); await http({ method, url, headers, body })`.
 * Errors are `HostHttpError` (./errors.ts) with `code` (`http_timeout`, `http_network`,
 * `http_too_large`, `http_invalid_url`, `http_header_forbidden`); messages name the URL
 * without its query (never a token).
 */
import { request, type Dispatcher } from "undici";
import { describeUrl } from "@backfill-io/sdk/policy";
import { createHostDispatcher, type HostDispatcherOptions } from "./dispatcher.js";
import { describeRequest, HostHttpError, HTTP_INVALID_URL, outboundError, tooLargeError } from "./errors.js";
import { providerRouter, type ProviderRoute } from "./provider-routes.js";
import { requestDeadline } from "./request-deadline.js";

export type HostHttpRequest = {
  method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE" | "HEAD";
  url: string;
  headers?: Record<string, string>;
  /** Sent as-is; set content-type yourself. */
  body?: string | Buffer;
  /** Overall deadline for this request (headers and body). */
  timeoutMs?: number;
  /** This request's response size limit, instead of the HostHttp's (the route runner passes its own). */
  maxResponseBytes?: number;
};

export type HostHttpResponse = {
  status: number;
  /** Lower-case names; repeated headers joined with ", ". */
  headers: Record<string, string>;
  /** The body's bytes, as received (binary bodies stay intact). */
  body: Buffer;
  /** The body decoded as UTF-8. */
  bodyText: string;
  /** The URL the request was meant for (before provider routing). */
  url: string;
};

export type HostHttp = (req: HostHttpRequest) => Promise<HostHttpResponse>;

export type HostHttpOptions = Omit<HostDispatcherOptions, "route"> & {
  /** Dev/demo provider routing (compiled with providerRouter); `route` gives a compiled one instead. */
  providerRoutes?: readonly ProviderRoute[];
  route?: HostDispatcherOptions["route"];
  maxResponseBytes?: number;
  userAgent?: string;
};

const DEFAULT_MAX_RESPONSE_BYTES = 10 * 1024 * 1024;

/** Lower-case names; repeated headers joined with ", ". */
export function flattenHeaders(raw: Record<string, string | string[] | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(raw)) if (v !== undefined) out[k.toLowerCase()] = Array.isArray(v) ? v.join(", ") : v;
  return out;
}

export function createHostHttp(opts: HostHttpOptions = {}): HostHttp & { close(): Promise<void> } {
  const { providerRoutes, route, maxResponseBytes, userAgent, ...limits } = opts;
  const defaultMaxBytes = maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
  const dispatcher = createHostDispatcher({ ...limits, route: route ?? providerRouter(providerRoutes ?? []) });

  const http = async (req: HostHttpRequest): Promise<HostHttpResponse> => {
    let target: URL;
    try {
      target = new URL(req.url);
    } catch {
      throw new HostHttpError(HTTP_INVALID_URL, `${describeUrl(req.url)} is not an absolute URL`);
    }
    const shown = describeRequest(req.method, req.url);
    const maxBytes = req.maxResponseBytes ?? defaultMaxBytes;
    const headers: Record<string, string> = { "user-agent": userAgent ?? "backfill-host", ...lowerKeys(req.headers ?? {}) };
    const deadline = req.timeoutMs ? requestDeadline(req.timeoutMs, "The operation was aborted due to timeout") : undefined;
    try {
      const res = await request(target, { method: req.method, headers, body: req.body ?? null, dispatcher, ...(deadline ? { signal: deadline.signal } : {}) });
      const declared = Number(res.headers["content-length"] ?? NaN);
      if (Number.isFinite(declared) && declared > maxBytes) {
        discard(res.body);
        throw tooLargeError(shown, maxBytes);
      }
      const body = await readBody(res.body, maxBytes, shown);
      let text: string | undefined;
      return {
        status: res.statusCode,
        headers: flattenHeaders(res.headers),
        body,
        // Decoded when first read: the route runner passes the bytes on and decodes them itself.
        get bodyText() {
          return (text ??= body.toString("utf8"));
        },
        url: req.url,
      };
    } catch (error) {
      throw outboundError(error, shown);
    } finally {
      deadline?.clear();
    }
  };
  return Object.assign(http, { close: () => dispatcher.close() });
}

type ResponseBody = Dispatcher.ResponseData["body"];

/** The whole body, refused past `maxBytes` (read by events: an async iterator costs a stream wrapper per response). */
function readBody(body: ResponseBody, maxBytes: number, shown: string): Promise<Buffer> {
  return new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    body.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) {
        discard(body);
        reject(tooLargeError(shown, maxBytes));
        return;
      }
      chunks.push(chunk);
    });
    body.once("end", () => resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks)));
    body.once("error", reject);
  });
}

/** Stops reading a body we refuse; the abort it causes is expected, not an error to report. */
function discard(body: { on(event: "error", fn: () => void): unknown; destroy(): unknown }): void {
  body.on("error", () => {});
  body.destroy();
}

function lowerKeys(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
}

/** Parses a JSON body, or undefined when the body is not JSON. */
export function jsonBody(res: HostHttpResponse): unknown {
  if (!res.bodyText) return undefined;
  try {
    return JSON.parse(res.bodyText) as unknown;
  } catch {
    return undefined;
  }
}
