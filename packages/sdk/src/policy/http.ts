// The http permission check, shared by the test runtime and the host, so a route
// test fails exactly where production would. URLs are parsed with WHATWG URL.
import { PermissionDeniedError } from "../runtime/errors.js";

export type HttpPattern = {
  pattern: string;
  protocol: "https:" | "http:";
  /** Host labels; "*" matches exactly one whole label. */
  hostLabels: string[];
  port: string;
  /** Path prefix when the pattern ends with "*", else the exact path. */
  path: string;
  pathIsPrefix: boolean;
};

export function parseHttpPattern(pattern: string): HttpPattern | { error: string } {
  const match = /^(https?):\/\/([^/?#]+)(\/[^?#]*)?$/i.exec(pattern);
  if (!match) return { error: `${JSON.stringify(pattern)} must look like https://host/path*` };
  const [, scheme, authority, rawPath = "/*"] = match;
  if (authority!.includes("@")) return { error: `${pattern} must not contain userinfo` };
  const [host, port = "", ...rest] = authority!.toLowerCase().split(":");
  if (rest.length || (port && !/^\d+$/.test(port))) return { error: `${pattern} has an invalid port` };
  const hostLabels = host!.split(".");
  if (hostLabels.some((l) => l === "" || (l !== "*" && !/^[a-z0-9-]+$/.test(l)))) return { error: `${pattern} has an invalid host` };
  if (hostLabels.filter((l) => l !== "*").length < 2) return { error: `${pattern} must name at least a registrable domain` };
  const pathIsPrefix = rawPath.endsWith("*");
  const path = pathIsPrefix ? rawPath.slice(0, -1) : rawPath;
  if (path.includes("*")) return { error: `${pattern} may use * in the path only at the end` };
  return { pattern, protocol: `${scheme!.toLowerCase()}:` as "https:" | "http:", hostLabels, port, path, pathIsPrefix };
}

function defaultPort(protocol: string): string {
  return protocol === "https:" ? "443" : "80";
}

export function matchesHttpPattern(url: URL, p: HttpPattern): boolean {
  if (url.protocol !== p.protocol) return false;
  const labels = url.hostname.toLowerCase().split(".");
  if (labels.length !== p.hostLabels.length) return false;
  // "*" stands for one whole, non-empty label: "https://.example-shop.com" must not match "*.example-shop.com".
  if (!p.hostLabels.every((label, i) => (label === "*" ? labels[i] !== "" : label === labels[i]))) return false;
  const urlPort = url.port || defaultPort(url.protocol);
  const patternPort = p.port || defaultPort(p.protocol);
  if (urlPort !== patternPort) return false;
  return p.pathIsPrefix ? url.pathname.startsWith(p.path) : url.pathname === p.path;
}

/** The URL as safe to show: no query, no fragment, no userinfo. */
export function describeUrl(raw: string): string {
  try {
    const url = new URL(raw);
    return `${url.protocol}//${url.host}${url.pathname}`;
  } catch {
    return raw.split(/[?#]/)[0]!.replace(/\/\/[^/@]*@/, "//");
  }
}

/**
 * The request headers a route may not set. The Host is the URL's: a Host header of the
 * route's own, sent to an allowed host's address (a CDN serving many sites), would reach
 * a host permissions.http never allowed (domain fronting).
 */
export function assertRequestHeadersAllowed(call: string, headers: Record<string, unknown> | undefined): void {
  for (const name of Object.keys(headers ?? {})) {
    if (name.toLowerCase() === "host") throw new PermissionDeniedError(`${call}: the Host header is the URL's; a route may not set it`, { rule: "host_header" });
  }
}

/**
 * A manifest's patterns, parsed once per list (every request of a sync checks the same list;
 * parsing it again cost ~20 µs a request). Keyed by the array, and checked against a copy of
 * it: a list changed in place is parsed again.
 */
const parsedPatterns = new WeakMap<readonly string[], { source: string[]; parsed: HttpPattern[] }>();

function usablePatterns(patterns: readonly string[]): HttpPattern[] {
  const cached = parsedPatterns.get(patterns);
  if (cached && cached.source.length === patterns.length && cached.source.every((p, i) => p === patterns[i])) return cached.parsed;
  const parsed = patterns.map(parseHttpPattern).filter((p): p is HttpPattern => !("error" in p));
  parsedPatterns.set(patterns, { source: [...patterns], parsed });
  return parsed;
}

/**
 * Parses `raw` and checks it against the manifest's `permissions.http`.
 * Throws `permission_denied` naming the URL without its query.
 */
export function assertHttpAllowed(raw: string, patterns: readonly string[]): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new PermissionDeniedError(`Http: ${describeUrl(raw)} is not an absolute URL`, { url: describeUrl(raw), rule: "url" });
  }
  if (url.username || url.password) {
    throw new PermissionDeniedError(`Http: ${describeUrl(raw)} carries userinfo, which is never allowed`, { url: describeUrl(raw), rule: "userinfo" });
  }
  if (!usablePatterns(patterns).some((p) => matchesHttpPattern(url, p))) {
    throw new PermissionDeniedError(`Http: ${describeUrl(raw)} is not allowed by permissions.http (${patterns.join(", ") || "none declared"})`, {
      url: describeUrl(raw),
      rule: "permissions.http",
    });
  }
  return url;
}
