// The host's one way to make an undici dispatcher for outgoing requests. Every caller (HostHttp
// for token endpoints, revocation and routes' Http; the route runner's default transport;
// Files.download; the auth-webhook sender) gets its Agent here, from one options type, so the
// timeouts, connection limits and the rules below are written once:
// - a caller's Host header is refused (HTTP_HEADER_FORBIDDEN): the Host is the URL's, so a route
//   cannot reach another virtual host through an allowed host's address (domain fronting);
// - dev/demo provider routing: a URL matching a route is sent to its stand-in with the same path
//   and query, the original host in Host and X-Forwarded-Host.
import { Agent, type Dispatcher } from "undici";
import { describeRequest, HostHttpError, HTTP_HEADER_FORBIDDEN } from "./errors.js";
import type { RoutedUrl } from "./provider-routes.js";

export type HostDispatcherOptions = {
  /** Longest wait for the TCP (and TLS) connection. */
  connectTimeoutMs?: number;
  /** Longest wait for the response headers once the request is sent. */
  headersTimeoutMs?: number;
  /** Longest wait between two chunks of the body (a stall, not the whole body: a caller bounds that with its signal); 0 = none. */
  bodyTimeoutMs?: number;
  /** Connections kept per origin; default: no cap (undici's). */
  connectionsPerOrigin?: number;
  /** How long an idle kept-alive connection stays open; default undici's (4 s). */
  keepAliveTimeoutMs?: number;
  /** Dev/demo provider routing (providerRouter): where a URL as written is really sent. */
  route?: (url: URL) => RoutedUrl;
};

export const DEFAULT_DISPATCHER_LIMITS = { connectTimeoutMs: 10_000, headersTimeoutMs: 30_000, bodyTimeoutMs: 30_000 } as const;

type DispatchHeaders = Dispatcher.DispatchOptions["headers"];

/** The headers as one object with lower-case names (undici accepts objects, flat arrays and iterables of pairs). */
function headerObject(headers: DispatchHeaders): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  if (!headers) return out;
  if (Array.isArray(headers)) {
    for (let i = 0; i + 1 < headers.length; i += 2) out[String(headers[i]).toLowerCase()] = String(headers[i + 1]);
    return out;
  }
  const entries: Iterable<[string, string | string[] | undefined]> =
    Symbol.iterator in headers ? (headers as Iterable<[string, string | string[] | undefined]>) : Object.entries(headers);
  for (const [name, value] of entries) if (value !== undefined) out[name.toLowerCase()] = value;
  return out;
}

/** Refuses a caller's Host header, then applies provider routing; what the Agent sends. */
function hostRules(route: ((url: URL) => RoutedUrl) | undefined): Dispatcher.DispatcherComposeInterceptor {
  return (dispatch) => (opts, handler) => {
    const headers = headerObject(opts.headers);
    const url = new URL(opts.path, opts.origin);
    if ("host" in headers) throw new HostHttpError(HTTP_HEADER_FORBIDDEN, `${describeRequest(opts.method, url)}: the Host header is the URL's; a caller may not set it`);
    const routed = route?.(url);
    if (!routed?.originalHost) return dispatch(opts, handler);
    headers.host = routed.originalHost;
    headers["x-forwarded-host"] = routed.originalHost;
    return dispatch({ ...opts, origin: routed.url.origin, path: `${routed.url.pathname}${routed.url.search}`, headers }, handler);
  };
}

/** One role's dispatcher (close it with `close()`); unset limits take DEFAULT_DISPATCHER_LIMITS. */
export function createHostDispatcher(options: HostDispatcherOptions = {}): Dispatcher {
  const agent = new Agent({
    connect: { timeout: options.connectTimeoutMs ?? DEFAULT_DISPATCHER_LIMITS.connectTimeoutMs },
    headersTimeout: options.headersTimeoutMs ?? DEFAULT_DISPATCHER_LIMITS.headersTimeoutMs,
    bodyTimeout: options.bodyTimeoutMs ?? DEFAULT_DISPATCHER_LIMITS.bodyTimeoutMs,
    ...(options.connectionsPerOrigin !== undefined ? { connections: options.connectionsPerOrigin } : {}),
    ...(options.keepAliveTimeoutMs !== undefined ? { keepAliveTimeout: options.keepAliveTimeoutMs } : {}),
  });
  return agent.compose(hostRules(options.route));
}
