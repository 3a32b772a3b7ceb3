// Plugs host part 1 into the runner: ConnectionServices over the Store, the Vault and
// the TokenManager; HostHttp (with its provider routing) as the runner's transport;
// and the PostConnectRunner the OAuth flow calls after the code exchange.
import { BackfillError, CONNECTION_NOT_FOUND, CONNECTOR_NOT_FOUND, ReauthRequiredError, type ConnectorManifest, type RouteRef } from "@backfill-io/sdk";
import type { Host } from "./open-host.js";
import { connectionSecret, connectionSettings } from "./settings.js";
import { hostHttpTransport } from "../http/route-transport.js";
import type { CandidateAuthorization, PostConnectRunner } from "../oauth/post-connect.js";
import type { RouteRunner } from "../runner/runner.js";
import type { ConnectionServices } from "../runner/services.js";

export type ResolvedConnection = { services: ConnectionServices; routesDir: string; manifest: ConnectorManifest };

/** Everything a route of `connectionId` needs, from the host's store, vault and token manager. */
export async function hostConnectionServices(host: Host, connectionId: string): Promise<ResolvedConnection> {
  const row = await host.store.connections.get(connectionId);
  if (!row) throw new BackfillError(CONNECTION_NOT_FOUND, `no connection ${connectionId}`);
  const connector = await host.connectors.get(row.connector_key);
  if (!connector) throw new BackfillError(CONNECTOR_NOT_FOUND, `connector ${row.connector_key} is not installed`);
  const settings = await connectionSettings(host.store, connectionId);
  const transport = hostHttpTransport(host.http);
  const services: ConnectionServices = {
    connectionId,
    manifest: connector.manifest,
    settings,
    providerAccount: { id: row.provider_account_id ?? undefined, name: row.provider_account_name ?? undefined },
    secret: async (name) => {
      const own = await connectionSecret(host.store, host.vault, connectionId, name);
      if (own !== undefined) return own;
      // The manifest's client.webhookSecret reads as the app's client secret when the
      // connection has none of its own (some providers sign webhooks with the app secret).
      const client = connector.manifest.connection.oauth?.client;
      if (client?.webhookSecret !== name) return undefined;
      return (await host.credentials.get(client.credentialKey))?.clientSecret;
    },
    accessToken: (opts) => host.tokens.accessToken(connectionId, opts),
    accessTokenGrant: (opts) => host.tokens.accessTokenGrant(connectionId, opts),
    committedCheckpoint: (stream) => host.store.checkpoints.get(connectionId, stream),
    countRedactable: async (selector) => (selector.all ? host.store.records.count(connectionId, selector.kind) : 0),
    webhookDeliveryProcessed: (deliveryIds) => host.store.webhookDeliveries.anyProcessed(connectionId, deliveryIds),
    log: (entry) => host.logger[entry.level](`route: ${entry.message}`, { connectionId, ...(entry.fields ?? {}) }),
    transport,
    files: host.files,
  };
  return { services, routesDir: connector.routesDir, manifest: connector.manifest };
}

/**
 * The OAuth flow's PostConnectRunner. `host` is a getter because openHost() takes the
 * runner as an option before the host exists.
 */
export function createPostConnectRunner(runner: RouteRunner, host: () => Host): PostConnectRunner {
  return async (connectionId: string, route: RouteRef, candidate?: CandidateAuthorization) => {
    const resolved = await hostConnectionServices(host(), connectionId);
    const { routesDir } = resolved;
    let services = resolved.services;
    // During a callback the new token and settings are not stored yet: the route proves those.
    if (candidate) {
      // Without accessTokenGrant: it would answer with the stored grant's token, not the candidate's.
      const stored: ConnectionServices = { ...services };
      delete stored.accessTokenGrant;
      services = {
        ...stored,
        settings: candidate.settings,
        secret: async (name) => candidate.secrets[name] ?? (await resolved.services.secret(name)),
        accessToken: (opts) => {
          const minTtlMs = (opts.minTtlSeconds ?? 0) * 1000;
          if (candidate.expiresAt !== null && candidate.expiresAt - host().store.now() <= minTtlMs) return Promise.reject(new ReauthRequiredError("expired"));
          return Promise.resolve(candidate.accessToken);
        },
      };
    }
    const result = await runner.runRoute({ routesDir, services, route: route.route, method: route.method });
    let body: unknown = result.bodyText;
    try {
      body = JSON.parse(result.bodyText) as unknown;
    } catch {
      // not JSON: the text itself
    }
    return { status: result.status, body };
  };
}
