// Disconnect: revoke at the provider where the manifest says how (revocationUrlTemplate),
// then delete the tokens whatever the provider answered.
import { redact, registerSecret, type ConnectorManifest, type CustomRevocation, type OAuthConfig } from "@backfill-io/sdk";
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

const REVOCATION_TIMEOUT_MS = 15_000;

/** The revocation request for `tokens`, in the shape the manifest's `oauth.revocationRequest` describes. */
export function revocationRequest(
  manifest: ConnectorManifest,
  oauth: OAuthConfig,
  settings: Record<string, unknown>,
  credential: OAuthAppCredential,
  tokens: StoredTokens,
): HostHttpRequest {
  const url = expandTemplate(oauth.revocationUrlTemplate!, settings);
  const shape = oauth.revocationRequest;
  return shape === "rfc7009" ? rfc7009Request(oauth, url, credential, tokens) : customRevocationRequest(shape, url, credential, tokens);
}

function rfc7009Request(oauth: OAuthConfig, url: string, credential: OAuthAppCredential, tokens: StoredTokens): HostHttpRequest {
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
  return { method: "POST", url, headers, body: new URLSearchParams(params).toString(), timeoutMs: REVOCATION_TIMEOUT_MS };
}

/** A provider's own revocation shape, filled from the manifest's description (fields, encoding, client auth). */
function customRevocationRequest(shape: CustomRevocation, url: string, credential: OAuthAppCredential, tokens: StoredTokens): HostHttpRequest {
  const values: Record<CustomRevocation["body"][string], string | null> = {
    client_id: credential.clientId,
    client_secret: credential.clientSecret,
    access_token: tokens.accessToken,
    refresh_token: tokens.refreshToken,
    grant_token: tokens.refreshToken ?? tokens.accessToken,
  };
  const fields: Record<string, string> = {};
  // A field whose value the connection lacks (no refresh token) is left out, not sent empty.
  for (const [name, value] of Object.entries(shape.body)) if (values[value] !== null) fields[name] = values[value]!;
  const headers: Record<string, string> = { accept: "application/json" };
  if (shape.clientSecretAuthorizationScheme) headers.authorization = `${shape.clientSecretAuthorizationScheme} ${credential.clientSecret}`;
  if (shape.encoding === "json") {
    headers["content-type"] = "application/json";
    return { method: shape.method, url, headers, body: JSON.stringify(fields), timeoutMs: REVOCATION_TIMEOUT_MS };
  }
  headers["content-type"] = "application/x-www-form-urlencoded";
  return { method: shape.method, url, headers, body: new URLSearchParams(fields).toString(), timeoutMs: REVOCATION_TIMEOUT_MS };
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
        const settings = connection.settings;
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
    const deleted = await tx.tokens.delete(connectionId);
    await tx.connections.setStatus(connectionId, "disconnected", "disconnected_by_user");
    await tx.auditLog.append("connection.disconnected", { connectionId, detail: { revoked, revokeError: revokeError ?? null } });
    await emitAuthEvent(tx, "connection.revoked", connectionId);
    return deleted;
  });
  // The plaintext token this process held for the connection goes with its grant.
  manager.forgetToken(connectionId);
  return { connectionId, revoked, ...(revokeError ? { revokeError } : {}), tokensDeleted };
}
