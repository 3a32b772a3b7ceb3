// Where an OAuth bearer token may go: only to the connection's own provider hosts
// (the hosts of its expanded authorization and token URLs).
import type { ConnectorManifest } from "../manifest/schema.js";
import { expandTemplate } from "../manifest/templates.js";
import { PermissionDeniedError } from "../runtime/errors.js";

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

export function assertTokenHost(url: URL, manifest: ConnectorManifest, settings: Record<string, unknown>): void {
  const hosts = providerHosts(manifest, settings);
  if (!hosts.includes(url.host.toLowerCase())) {
    throw new PermissionDeniedError(
      `Http: auth.oauth attaches the OAuth token only to the provider's own host (${hosts.join(", ") || "none"}), not ${url.host}`,
      { host: url.host, rule: "oauth_token_host" },
    );
  }
}
