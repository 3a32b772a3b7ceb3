/**
 * HostHttp: the ONE function every outgoing HTTP request of the host goes through
 * (token endpoints, revocation, and — route runner, please reuse it — connector
 * `Http.*` calls). It applies connect/headers/body timeouts and a response size limit,
 * and, in dev/demo only, `providerRoutes`: a URL matching `match` is sent to `target`
 * with the same path and query, the original host in `Host` and `X-Forwarded-Host`.
 *
 * Usage: `const http = createHostHttp({ providerRoutes }); await http({ method, url, headers, body })`.
 * Errors are `HostHttpError` with `code` (`http_timeout`, `http_network`, `http_too_large`,
 * `http_invalid_url`); messages name the URL without its query (never a token).
 */
import { Agent, request, errors as undiciErrors } from "undici";
import { describeUrl } from "@backfill-io/sdk/policy";
import { providerRouter, type ProviderRoute } from "./provider-routes.js";

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

export type HostHttpOptions = {
  providerRoutes?: readonly ProviderRoute[];
  connectTimeoutMs?: number;
  headersTimeoutMs?: number;
  bodyTimeoutMs?: number;
  maxResponseBytes?: number;
  userAgent?: string;
};

export class HostHttpError extends Error {
  constructor(
    readonly code: "http_timeout" | "http_network" | "http_too_large" | "http_invalid_url",
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = "HostHttpError";
  }
}

const DEFAULTS = { connectTimeoutMs: 10_000, headersTimeoutMs: 30_000, bodyTimeoutMs: 30_000, maxResponseBytes: 10 * 1024 * 1024 };

export function createHostHttp(opts: HostHttpOptions = {}): HostHttp & { close(): Promise<void> } {
  const route = providerRouter(opts.providerRoutes ?? []);
  const defaultMaxBytes = opts.maxResponseBytes ?? DEFAULTS.maxResponseBytes;
  const agent = new Agent({
    connect: { timeout: opts.connectTimeoutMs ?? DEFAULTS.connectTimeoutMs },
    headersTimeout: opts.headersTimeoutMs ?? DEFAULTS.headersTimeoutMs,
    bodyTimeout: opts.bodyTimeoutMs ?? DEFAULTS.bodyTimeoutMs,
  });

  const http = async (req: HostHttpRequest): Promise<HostHttpResponse> => {
    let target: URL;
    try {
      target = new URL(req.url);
    } catch {
      throw new HostHttpError("http_invalid_url", `${describeUrl(req.url)} is not an absolute URL`);
    }
    const shown = `${req.method} ${describeUrl(req.url)}`;
    const maxBytes = req.maxResponseBytes ?? defaultMaxBytes;
    const routed = route(target);
    const headers: Record<string, string> = { "user-agent": opts.userAgent ?? "backfill-host", ...lowerKeys(req.headers ?? {}) };
    if (routed.originalHost) {
      headers.host = routed.originalHost;
      headers["x-forwarded-host"] = routed.originalHost;
    }
    const signal = req.timeoutMs ? AbortSignal.timeout(req.timeoutMs) : undefined;
    try {
      const res = await request(routed.url, {
        method: req.method,
        headers,
        body: req.body ?? null,
        dispatcher: agent,
        ...(signal ? { signal } : {}),
      });
      const declared = Number(res.headers["content-length"] ?? NaN);
      if (Number.isFinite(declared) && declared > maxBytes) {
        discard(res.body);
        throw new HostHttpError("http_too_large", `${shown}: response of ${declared} bytes exceeds the ${maxBytes}-byte limit`);
      }
      const chunks: Buffer[] = [];
      let size = 0;
      for await (const chunk of res.body) {
        size += (chunk as Buffer).length;
        if (size > maxBytes) {
          discard(res.body);
          throw new HostHttpError("http_too_large", `${shown}: response exceeds the ${maxBytes}-byte limit`);
        }
        chunks.push(chunk as Buffer);
      }
      const outHeaders: Record<string, string> = {};
      for (const [k, v] of Object.entries(res.headers)) if (v !== undefined) outHeaders[k.toLowerCase()] = Array.isArray(v) ? v.join(", ") : v;
      const body = Buffer.concat(chunks);
      return { status: res.statusCode, headers: outHeaders, body, bodyText: body.toString("utf8"), url: req.url };
    } catch (error) {
      if (error instanceof HostHttpError) throw error;
      const timeout =
        error instanceof undiciErrors.ConnectTimeoutError ||
        error instanceof undiciErrors.HeadersTimeoutError ||
        error instanceof undiciErrors.BodyTimeoutError ||
        (error as { name?: string }).name === "TimeoutError" ||
        (error as { name?: string }).name === "AbortError";
      const code = timeout ? "http_timeout" : "http_network";
      throw new HostHttpError(code, `${shown}: ${timeout ? "timed out" : `network error (${(error as { code?: string }).code ?? (error as Error).name})`}`);
    }
  };
  return Object.assign(http, { close: () => agent.close() });
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
