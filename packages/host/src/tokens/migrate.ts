// Legacy non-expiring Shopify offline tokens → expiring ones, through Shopify's
// token-exchange grant, without the merchant reinstalling the app.
import { registerSecret, type ConnectorManifest } from "@backfill-io/sdk";
import { TokenEndpointError, parseTokenResponse, requestToken } from "../oauth/token-endpoint.js";
import type { TokenManager } from "./token-manager.js";
import { decryptTokens, writeTokens } from "./token-store.js";

export const TOKEN_EXCHANGE_GRANT = "urn:ietf:params:oauth:grant-type:token-exchange";
export const SHOPIFY_OFFLINE_TOKEN_TYPE = "urn:shopify:params:oauth:token-type:offline-access-token";

/**
 * Only Shopify has legacy non-expiring offline tokens and this token-exchange grant, so the
 * migration applies to connections whose manifest names Shopify as its provider (not to a
 * connector merely keyed "shopify").
 */
export function usesShopifyTokenExchange(manifest: Pick<ConnectorManifest, "provider">): boolean {
  return manifest.provider === "shopify";
}

export type MigrateOutcome = { connectionId: string; status: "migrated" | "skipped" | "failed"; reason?: string };

export async function migrateTokens(manager: TokenManager, opts: { connectionId?: string } = {}): Promise<MigrateOutcome[]> {
  const { store, vault, credentials, http, logger } = manager.deps;
  const connections = opts.connectionId
    ? [await store.getConnection(opts.connectionId)].filter((c) => !!c)
    : await store.listConnections({ status: "active" });
  const outcomes: MigrateOutcome[] = [];
  for (const connection of connections) {
    const skip = (reason: string) => outcomes.push({ connectionId: connection.id, status: "skipped", reason });
    let loaded;
    try {
      loaded = await manager.load(connection.id);
    } catch (error) {
      skip((error as Error).message);
      continue;
    }
    const { manifest, oauth, row } = loaded;
    if (!usesShopifyTokenExchange(manifest)) {
      skip("not a Shopify connection");
      continue;
    }
    if (!row) {
      skip("no token");
      continue;
    }
    if (row.expires_at !== null || row.refresh_token_enc !== null) {
      skip("already expiring");
      continue;
    }
    const current = decryptTokens(vault, row);
    const credential = await credentials.get(oauth.client.credentialKey);
    if (!credential) {
      outcomes.push({ connectionId: connection.id, status: "failed", reason: `no OAuth app credential ${oauth.client.credentialKey}` });
      continue;
    }
    try {
      const body = await requestToken({
        http,
        oauth,
        settings: JSON.parse(connection.settings_json) as Record<string, unknown>,
        credential,
        params: {
          grant_type: TOKEN_EXCHANGE_GRANT,
          subject_token: current.accessToken,
          subject_token_type: SHOPIFY_OFFLINE_TOKEN_TYPE,
          requested_token_type: SHOPIFY_OFFLINE_TOKEN_TYPE,
          expiring: "1",
        },
      });
      const tokens = parseTokenResponse(oauth, body, store.now());
      registerSecret(tokens.accessToken, tokens.refreshToken);
      await store.transaction(async (tx) => {
        await writeTokens(tx, vault, connection.id, tokens, { scopes: tokens.scopes ?? current.scopes });
        await tx.audit("tokens.migrated", { connectionId: connection.id, detail: { expiresAt: tokens.expiresAt } });
      });
      outcomes.push({ connectionId: connection.id, status: "migrated" });
    } catch (error) {
      const reason = error instanceof TokenEndpointError ? error.message : (error as Error).message;
      logger.warn("token migration failed", { connectionId: connection.id, error: reason });
      outcomes.push({ connectionId: connection.id, status: "failed", reason });
    }
  }
  return outcomes;
}
