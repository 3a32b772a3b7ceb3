// Where a redirect may go and with which headers: one policy for Http and Files.download,
// in the host and in the test runtime. Every hop is judged by permissions.http like the first
// URL. On a hop to another origin every credential header is dropped and never put back,
// whatever the next host is (a token host's included, as fetch does): a provider's signed
// storage URL carries its own credential, and an open redirect on a provider host must not
// hand the token to another.
import type { ConnectorManifest } from "../manifest/schema.js";
import { BackfillError } from "../runtime/errors.js";
import { isSensitiveKey } from "../redaction/redactor.js";
import { assertHttpAllowed, describeUrl } from "./http.js";

export const REDIRECT_STATUSES: ReadonlySet<number> = new Set([301, 302, 303, 307, 308]);
/** The most redirects one request follows. */
export const MAX_REDIRECTS = 5;

export type RedirectHop = {
  /** The SDK call the errors name ("Http", "Files.download"). */
  call: string;
  from: URL;
  location: string;
  headers: Record<string, string>;
  /** Redirects followed so far. */
  count: number;
  maxRedirects?: number;
  /** auth.oauth's header (any name): dropped by name too. */
  tokenHeader?: string | undefined;
};

/** The next URL and the headers it gets; refused past the redirect limit, on a bad location or a URL permissions.http does not allow. */
export function followRedirect(manifest: ConnectorManifest, hop: RedirectHop): { url: URL; headers: Record<string, string> } {
  const { call, from, location, headers } = hop;
  const maxRedirects = hop.maxRedirects ?? MAX_REDIRECTS;
  if (hop.count >= maxRedirects) throw new BackfillError("http_error", `${call}: more than ${maxRedirects} redirects from ${describeUrl(from.href)}`);
  let next: URL;
  try {
    next = new URL(location, from);
  } catch {
    throw new BackfillError("http_error", `${call}: ${describeUrl(from.href)} redirected to an invalid location`);
  }
  next = assertHttpAllowed(next.href, manifest.permissions.http);
  if (next.origin === from.origin) return { url: next, headers };
  const token = hop.tokenHeader?.toLowerCase();
  const kept = Object.fromEntries(Object.entries(headers).filter(([name]) => !isCredentialHeader(name) && name.toLowerCase() !== token));
  return { url: next, headers: kept };
}

function isCredentialHeader(name: string): boolean {
  const lower = name.toLowerCase();
  return lower === "authorization" || lower === "cookie" || lower === "proxy-authorization" || isSensitiveKey(lower);
}
