// Disconnect: revoke at the provider where the manifest says how (revocationUrlTemplate),
// then delete the tokens whatever the provider answered.
import { redact, registerSecret, type ConnectorManifest, type OAuthConfig } from "@backfill-io/sdk";
import { expandTemplate } from "@backfill-io/sdk/policy";
import type { OAuthAppCredential } from "../credentials/credentials.js";
import type { HostHttpRequest } from "../http/host-http.js";
import type { TokenManager } from "./token-manager.js";
import { readTokens, type StoredTokens } from "./token-store.js";
import { emitAuthEvent } from "../events/auth-events.js";

export type DisconnectResult = {
  connectionId: string;
  /** true: the provider confirmed; false: it failed (tokens deleted anyway); null: no revocation endpoint. */
  revoked: boolean | null;
  revokeError?: string;
  tokensDeleted: boolean;
};

/**
 * The shape of a revocation request. `rfc7009`: form `token` + `token_type_hint`, client
 * authentication as for the token endpoint. `square`: Square's /oauth2/revoke, which is not
 * RFC 7009 (JSON `{ client_id, access_token }`, `Authorization: Client <secret>`).
 */
export type RevocationStyle = "rfc7009" | "square";

/** The manifest's `oauth.revocationRequest` (RFC 7009 unless it names another shape). */
export function revocationStyleOf(oauth: Pick<OAuthConfig, "revocationRequest">): RevocationStyle {
  return oauth.revocationRequest;
}

/** The revocation request for `tokens`, in the style of the manifest's provider. */
export function revocationRequest(
  manifest: ConnectorManifest,
  oauth: OAuthConfig,
  settings: Record<string, unknown>,
  credential: OAuthAppCredential,
  tokens: StoredTokens,
): HostHttpRequest {
  const url = expandTemplate(oauth.revocationUrlTemplate!, settings);
  if (revocationStyleOf(oauth) === "square") {
    return {
      method: "POST",
      url,
      headers: { "content-type": "application/json", accept: "application/json", authorization: `Client ${credential.clientSecret}` },
      body: JSON.stringify({ client_id: credential.clientId, access_token: tokens.accessToken }),
      timeoutMs: 15_000,
    };
  }
  // Revoking the refresh token revokes the grant (RFC 7009 2.1); the access token only itself.
  const params: Record<string, string> = { token: tokens.refreshToken ?? tokens.accessToken, token_type_hint: tokens.refreshToken ? "refresh_token" : "access_token" };
  const headers: Record<string, string> = { "content-type": "application/x-www-form-urlencoded", accept: "application/json" };
  if (oauth.client.authMethod === "client_secret_basic") {
    const basic = Buffer.from(`${encodeURIComponent(credential.clientId)}:${encodeURIComponent(credential.clientSecret)}`).toString("base64");
    registerSecret(basic);
    headers.authorization = `Basic ${basic}`;
  } else {
    params.client_id = credential.clientId;
    if (oauth.client.authMethod === "client_secret_post") params.client_secret = credential.clientSecret;
  }
  return { method: "POST", url, headers, body: new URLSearchParams(params).toString(), timeoutMs: 15_000 };
}

export async function disconnect(manager: TokenManager, connectionId: string, opts: { revoke?: boolean } = {}): Promise<DisconnectResult> {
  const { store, vault, credentials, http, logger } = manager.deps;
  const loaded = await manager.load(connectionId);
  const { manifest, oauth, connection } = loaded;
  const tokens = await readTokens(store, vault, connectionId);
  let revoked: boolean | null = null;
  let revokeError: string | undefined;
  if (tokens && oauth.revocationUrlTemplate && opts.revoke !== false) {
    const credential = await credentials.get(oauth.client.credentialKey);
    if (!credential) {
      revoked = false;
      revokeError = `no OAuth app credential ${oauth.client.credentialKey}`;
    } else {
      try {
        const settings = JSON.parse(connection.settings_json) as Record<string, unknown>;
        const res = await http(revocationRequest(manifest, oauth, settings, credential, tokens));
        revoked = res.status >= 200 && res.status < 300;
        if (!revoked) revokeError = `revocation endpoint answered ${res.status}`;
      } catch (error) {
        revoked = false;
        revokeError = redact((error as Error).message);
      }
    }
    if (!revoked) logger.warn("provider revocation failed; deleting the tokens anyway", { connectionId, error: revokeError });
  }
  const tokensDeleted = await store.transaction(async (tx) => {
    const deleted = await tx.deleteTokens(connectionId);
    await tx.setConnectionStatus(connectionId, "disconnected", "disconnected_by_user");
    await tx.audit("connection.disconnected", { connectionId, detail: { revoked, revokeError: revokeError ?? null } });
    await emitAuthEvent(tx, "connection.revoked", connectionId);
    return deleted;
  });
  return { connectionId, revoked, ...(revokeError ? { revokeError } : {}), tokensDeleted };
}
