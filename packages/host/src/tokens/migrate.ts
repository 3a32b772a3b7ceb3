// Legacy tokens → the provider's current kind, through the token migration its provider
// plug-in brings (e.g. a token exchange for non-expiring offline tokens), without the
// merchant reconnecting. Connections whose provider has no migration are skipped.
import { registerSecret } from "@backfill-io/sdk";
import { parseTokenResponse, requestToken } from "../oauth/token-endpoint.js";
import type { TokenManager } from "./token-manager.js";
import { decryptTokens, writeTokens } from "./token-store.js";

export type MigrateOutcome = { connectionId: string; status: "migrated" | "skipped" | "failed"; reason?: string };

export async function migrateTokens(manager: TokenManager, opts: { connectionId?: string } = {}): Promise<MigrateOutcome[]> {
  const { store, vault, credentials, http, logger, providers } = manager.deps;
  const connections = opts.connectionId ? [await store.connections.get(opts.connectionId)].filter((c) => !!c) : await store.connections.list({ status: "active" });
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
    // By the manifest's provider, not the connector key: a connector merely keyed like a provider gets nothing.
    const migration = providers.tokenMigration(manifest.provider);
    if (!migration) {
      skip(`provider ${manifest.provider ?? manifest.key} has no token migration`);
      continue;
    }
    if (!row) {
      skip("no token");
      continue;
    }
    const notNeeded = migration.skipReason({ expiresAt: row.expires_at, hasRefreshToken: row.refresh_token_enc !== null });
    if (notNeeded) {
      skip(notNeeded);
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
        settings: connection.settings,
        credential,
        params: migration.requestParams(current.accessToken),
      });
      const tokens = parseTokenResponse(oauth, body, store.now());
      registerSecret(tokens.accessToken, tokens.refreshToken);
      await store.transaction(async (tx) => {
        await writeTokens(tx, vault, connection.id, tokens, { scopes: tokens.scopes ?? current.scopes });
        await tx.auditLog.append("tokens.migrated", { connectionId: connection.id, detail: { expiresAt: tokens.expiresAt } });
      });
      outcomes.push({ connectionId: connection.id, status: "migrated" });
    } catch (error) {
      const reason = (error as Error).message;
      logger.warn("token migration failed", { connectionId: connection.id, error: reason });
      outcomes.push({ connectionId: connection.id, status: "failed", reason });
    }
  }
  return outcomes;
}
