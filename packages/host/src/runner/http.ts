// The main thread's side of Http.*: the manifest's http allowlist (checked again on
// every redirect hop), auth.oauth tokens only for the hosts the SDK policy names (the
// provider's own, fixed hosts in permissions.http; never a wildcard's), the host's one HTTP
// stack (src/http/: its dispatcher, timeouts, size limit and error mapping, a leaf runner/ may
// import) when no wiring transport is given; bodies cross the bridge as text,
// parsed in the route by the SDK's parseResponseBody (as the test runtime parses scripted responses).
import { type ConnectorManifest, type HttpResponse, type AccessTokenOptions, type Redactor } from "@backfill-io/sdk";
import { oauthAuthHeader, type HttpRequestSpec } from "@backfill-io/sdk/host";
import { assertHttpAllowed, assertRequestHeadersAllowed, assertTokenHost, followRedirect, parseResponseBody, REDIRECT_STATUSES } from "@backfill-io/sdk/policy";
import type { BridgedHttpResponse } from "./protocol.js";
import { describeRequest, routeCallError } from "../http/errors.js";
import { createHostHttp } from "../http/host-http.js";
import { hostHttpTransport } from "../http/route-transport.js";

export type TransportRequest = {
  method: string;
  /** The URL as the route wrote it (already allowed by the manifest). */
  url: URL;
  headers: Record<string, string>;
  body?: string;
  timeoutMs: number;
  maxResponseBytes: number;
};

export type TransportResponse = { status: number; headers: Record<string, string>; body: Buffer };

/**
 * Sends one request, no redirects followed. Host part 1's HostHttp (with provider
 * routing to emulators) plugs in here; `createUndiciTransport` is the default.
 */
export type HttpTransport = (request: TransportRequest) => Promise<TransportResponse>;

export type HttpLimits = {
  connectTimeoutMs: number;
  headersTimeoutMs: number;
  bodyTimeoutMs: number;
  /** Whole request, used when the route gives no timeoutMs. */
  requestTimeoutMs: number;
  maxResponseBytes: number;
  maxRedirects: number;
  /** The longest a Files.download may take (its timeoutMs is capped to this): time inside one does not count against the route timeout. */
  maxDownloadMs: number;
};

export const DEFAULT_HTTP_LIMITS: HttpLimits = {
  connectTimeoutMs: 10_000,
  headersTimeoutMs: 30_000,
  bodyTimeoutMs: 30_000,
  requestTimeoutMs: 60_000,
  maxResponseBytes: 20 * 1024 * 1024,
  maxRedirects: 5,
  maxDownloadMs: 2 * 60 * 60_000,
};

export type UndiciTransportOptions = Partial<Pick<HttpLimits, "connectTimeoutMs" | "headersTimeoutMs" | "bodyTimeoutMs">> & {
  /**
   * Provider routing: maps a URL as written (judged by the manifest) to where it is
   * really sent, e.g. https://acme.example-shop.com/admin → http://127.0.0.1:4001/admin.
   */
  route?: (url: URL) => URL;
};

/** The runner's own transport (no wiring transport given): HostHttp on a dispatcher from the host's one factory. */
export function createUndiciTransport(options: UndiciTransportOptions = {}): HttpTransport & { close(): Promise<void> } {
  const { route } = options;
  const http = createHostHttp({
    connectTimeoutMs: options.connectTimeoutMs ?? DEFAULT_HTTP_LIMITS.connectTimeoutMs,
    headersTimeoutMs: options.headersTimeoutMs ?? DEFAULT_HTTP_LIMITS.headersTimeoutMs,
    bodyTimeoutMs: options.bodyTimeoutMs ?? DEFAULT_HTTP_LIMITS.bodyTimeoutMs,
    ...(route ? { route: (url: URL) => routedTo(url, route(url)) } : {}),
  });
  return Object.assign(hostHttpTransport(http), { close: () => http.close() });
}

function routedTo(url: URL, target: URL) {
  return { url: target, originalHost: target.host === url.host ? null : url.host };
}

export type HttpContext = {
  manifest: ConnectorManifest;
  settings: Record<string, unknown>;
  accessToken(opts: AccessTokenOptions): Promise<string>;
  transport: HttpTransport;
  limits: HttpLimits;
  redactor: Redactor;
};

function encodeBody(body: unknown, headers: Record<string, string>): string | undefined {
  if (body === undefined) return undefined;
  if (typeof body === "string") {
    headers["content-type"] ??= "text/plain; charset=utf-8";
    return body;
  }
  headers["content-type"] ??= "application/json";
  return JSON.stringify(body);
}

/** Http as a route sees it: the body parsed by content type (JSON) or as text. */
export async function performHttp(spec: HttpRequestSpec, ctx: HttpContext): Promise<HttpResponse> {
  const { bodyText, ...response } = await performHttpForBridge(spec, ctx);
  return { ...response, body: parseResponseBody(bodyText, response.headers["content-type"]) };
}

/** Http as it crosses the bridge: the body as text, parsed in the route's isolate (parseResponseBody). */
export async function performHttpForBridge(spec: HttpRequestSpec, ctx: HttpContext): Promise<BridgedHttpResponse> {
  const patterns = ctx.manifest.permissions.http;
  let url = assertHttpAllowed(spec.url, patterns);
  assertRequestHeadersAllowed("Http", spec.headers);
  let headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(spec.headers ?? {})) headers[k.toLowerCase()] = String(v);
  const oauth = spec.auth?.oauth;
  // The auth header (Authorization: Bearer, or a provider's own header with the bare token).
  let tokenHeader: string | undefined;
  if (oauth) {
    assertTokenHost(url, ctx.manifest, ctx.settings);
    const token = await ctx.accessToken(oauth);
    ctx.redactor.register(token);
    const [name, value] = oauthAuthHeader(oauth, token);
    tokenHeader = name.toLowerCase();
    headers[tokenHeader] = value;
  }
  let method: string = spec.method;
  let body = encodeBody(spec.body, headers);
  const timeoutMs = spec.timeoutMs ?? ctx.limits.requestTimeoutMs;

  for (let hop = 0; ; hop++) {
    let res: TransportResponse;
    try {
      res = await ctx.transport({ method, url, headers, ...(body !== undefined ? { body } : {}), timeoutMs, maxResponseBytes: ctx.limits.maxResponseBytes });
    } catch (error) {
      throw routeCallError("Http", error, describeRequest(method, url));
    }
    const location = res.headers.location;
    if (!REDIRECT_STATUSES.has(res.status) || !location) {
      return { status: res.status, ok: res.status >= 200 && res.status < 300, headers: res.headers, bodyText: res.body.toString("utf8") };
    }
    // The one redirect policy (the SDK's, as Files.download's): permissions.http on every hop, no credential across origins.
    const next = followRedirect(ctx.manifest, { call: "Http", from: url, location, headers, count: hop, maxRedirects: ctx.limits.maxRedirects, tokenHeader });
    headers = next.headers;
    if (res.status === 303 || ((res.status === 301 || res.status === 302) && method === "POST")) {
      method = "GET";
      body = undefined;
      delete headers["content-type"];
    }
    url = next.url;
  }
}
