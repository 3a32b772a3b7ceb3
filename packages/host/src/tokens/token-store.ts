// Reading and writing a connection's tokens through the vault. Every value read or
// written is registered with the redactor before anyone else can see it.
import { registerSecret } from "@backfill-io/sdk";
import type { Store } from "../store/store.js";
import type { OAuthTokenRow } from "../store/repositories/tokens.js";
import type { Vault } from "../vault/vault.js";
import type { TokenSet } from "../oauth/token-endpoint.js";
import { columnAad } from "../store/encrypted-columns.js";

export type StoredTokens = {
  accessToken: string;
  refreshToken: string | null;
  tokenType: string | null;
  expiresAt: number | null;
  refreshExpiresAt: number | null;
  scopes: string[];
  obtainedAt: number;
};

const aad = (connectionId: string, field: "access_token_enc" | "refresh_token_enc") => columnAad(`oauth_tokens.${field}`, { connection_id: connectionId });

export function decryptTokens(vault: Vault, row: OAuthTokenRow): StoredTokens {
  const accessToken = vault.decrypt(row.access_token_enc, aad(row.connection_id, "access_token_enc"));
  const refreshToken = row.refresh_token_enc ? vault.decrypt(row.refresh_token_enc, aad(row.connection_id, "refresh_token_enc")) : null;
  registerSecret(accessToken, refreshToken);
  return {
    accessToken,
    refreshToken,
    tokenType: row.token_type,
    expiresAt: row.expires_at,
    refreshExpiresAt: row.refresh_expires_at,
    scopes: row.scopes,
    obtainedAt: row.obtained_at,
  };
}

/**
 * What identifies a stored grant: the access token's ciphertext (a fresh random nonce on every
 * write, so any new token — reconnect, refresh, migration — changes it). The sync engine
 * compares the one the route was given with the stored one on a 401.
 */
export function tokenGrantFingerprint(row: OAuthTokenRow): string {
  return row.access_token_enc;
}

export async function readTokens(store: Store, vault: Vault, connectionId: string): Promise<StoredTokens | undefined> {
  const row = await store.tokens.get(connectionId);
  return row ? decryptTokens(vault, row) : undefined;
}

/**
 * Writes a token set. `keepRefreshToken` is the refresh token to keep when the response
 * carried none (a provider that does not rotate).
 */
export async function writeTokens(
  store: Store,
  vault: Vault,
  connectionId: string,
  tokens: TokenSet,
  opts: { scopes: string[]; keepRefreshToken?: string | null; keepRefreshExpiresAt?: number | null },
): Promise<void> {
  registerSecret(tokens.accessToken, tokens.refreshToken);
  const refreshToken = tokens.refreshToken ?? opts.keepRefreshToken ?? null;
  await store.tokens.put({
    connection_id: connectionId,
    access_token_enc: vault.encrypt(tokens.accessToken, aad(connectionId, "access_token_enc")),
    refresh_token_enc: refreshToken ? vault.encrypt(refreshToken, aad(connectionId, "refresh_token_enc")) : null,
    token_type: tokens.tokenType,
    expires_at: tokens.expiresAt,
    refresh_expires_at: tokens.refreshToken ? tokens.refreshExpiresAt : (opts.keepRefreshExpiresAt ?? tokens.refreshExpiresAt),
    scopes: opts.scopes,
    obtained_at: store.now(),
  });
}
