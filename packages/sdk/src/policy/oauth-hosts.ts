// Where an OAuth bearer token may go: the connection's own provider hosts (the hosts of
// its expanded authorization and token URLs), and the fixed hosts the manifest names in
// permissions.http (a provider API on its own host, e.g. api.example.com beside
// provider.example.com). A wildcard pattern never qualifies: *.example-shop.com also
// matches other tenants' shops, which must not receive this connection's token.
import type { ConnectorManifest } from "../manifest/schema.js";
import { expandTemplate } from "../manifest/templates.js";
import { PermissionDeniedError } from "../runtime/errors.js";
import { matchesHttpPattern, parseHttpPattern, type HttpPattern } from "./http.js";

export function providerHosts(manifest: ConnectorManifest, settings: Record<string, unknown>): string[] {
  const oauth = manifest.connection.oauth;
  if (!oauth) return [];
  const hosts = new Set<string>();
  for (const template of [oauth.authorizationUrlTemplate, oauth.tokenUrlTemplate]) {
    try {
      hosts.add(new URL(expandTemplate(template, settings)).host.toLowerCase());
    } catch {
      // a missing setting: that template contributes no host
    }
  }
  return [...hosts];
}

function fixedHostPatterns(manifest: ConnectorManifest): HttpPattern[] {
  return manifest.permissions.http.map(parseHttpPattern).filter((p): p is HttpPattern => !("error" in p) && !p.hostLabels.includes("*"));
}

/** True when auth.oauth may attach this connection's token to a request to `url`. */
export function isTokenHost(url: URL, manifest: ConnectorManifest, settings: Record<string, unknown>): boolean {
  if (providerHosts(manifest, settings).includes(url.host.toLowerCase())) return true;
  return fixedHostPatterns(manifest).some((p) => matchesHttpPattern(url, p));
}

export function assertTokenHost(url: URL, manifest: ConnectorManifest, settings: Record<string, unknown>): void {
  if (!isTokenHost(url, manifest, settings)) {
    const hosts = [...providerHosts(manifest, settings), ...fixedHostPatterns(manifest).map((p) => p.pattern)];
    throw new PermissionDeniedError(
      `Http: auth.oauth attaches the OAuth token only to the provider's own host or a fixed host in permissions.http (${hosts.join(", ") || "none"}), not ${url.host}`,
      { host: url.host, rule: "oauth_token_host" },
    );
  }
}
