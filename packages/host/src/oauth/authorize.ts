// Step 1 of the authorization-code flow: validate the settings, check the app
// credential, mint a single-use state (and a PKCE verifier), and build the URL.
import { registerSecret, type ConnectorManifest, type OAuthConfig, type ProviderRegistry } from "@backfill-io/sdk";
import { expandTemplate, isSecretSetting, requestedScopes, validateSettings } from "@backfill-io/sdk/policy";
import { randomUUID } from "node:crypto";
import { credentialFix, type OAuthAppCredential } from "../credentials/credentials.js";
import type { ConnectSession } from "./connect-sessions.js";
import { refuseUnknownSettings } from "./settings-names.js";
import { oauthFlowError } from "./errors.js";
import { hashState, pkceChallengeS256, pkceVerifier, randomToken } from "./pkce.js";
import { STATE_TTL_MS, type OAuthFlowDeps } from "./deps.js";
import { columnAad } from "../store/encrypted-columns.js";

export type StartAuthorizationInput = {
  manifest: ConnectorManifest;
  settings: Record<string, unknown>;
  redirectUri: string;
  /** Reconnect this existing connection instead of creating one (a reconnect session sets it too). */
  connectionId?: string;
  /** Allow the reconnect to land on a different provider account. */
  force?: boolean;
  /** The connect session this start redeems; consumed in the same transaction as the pending authorization. */
  session?: ConnectSession;
  /** The browser-binding cookie value set with this start; the callback must come with it. */
  browserBinding?: string;
};

export type StartAuthorizationResult = {
  /** The connection the flow completes: for a new one, the id it gets when the callback succeeds. */
  connectionId: string;
  authorizationId: string;
  authorizationUrl: string;
  expiresAt: number;
};

export function requireOAuth(manifest: ConnectorManifest): OAuthConfig {
  const oauth = manifest.connection.oauth;
  if (!oauth) throw oauthFlowError("not_oauth_connector", `connector ${manifest.key} does not declare connection.oauth`);
  return oauth;
}

export function checkRedirectUri(redirectUri: string): string {
  let url: URL;
  try {
    url = new URL(redirectUri);
  } catch {
    throw oauthFlowError("invalid_redirect_uri", `redirect URI ${JSON.stringify(redirectUri)} is not an absolute URL`);
  }
  if ((url.protocol !== "https:" && url.protocol !== "http:") || url.hash || url.username || url.password) {
    throw oauthFlowError("invalid_redirect_uri", "redirect URI must be an http(s) URL without a fragment or userinfo");
  }
  return url.toString();
}

/** Validates and normalizes settings (settingsSchema, requiredSettings, hostValidation). */
export function validatedSettings(manifest: ConnectorManifest, settings: Record<string, unknown>, providers: ProviderRegistry): Record<string, unknown> {
  const result = validateSettings(manifest, settings, { requireOAuthSettings: true, providers });
  if (!result.ok) {
    const list = result.problems.map((p) => `${p.setting || "(settings)"} ${p.message}`).join("; ");
    throw oauthFlowError("invalid_settings", `invalid settings for ${manifest.key}: ${list}`, {
      fix: "pass each setting the connector needs, valid by its settingsSchema",
      details: { problems: result.problems },
    });
  }
  return result.settings;
}

export async function requireCredential(deps: Pick<OAuthFlowDeps, "credentials">, oauth: OAuthConfig): Promise<OAuthAppCredential> {
  const credential = await deps.credentials.get(oauth.client.credentialKey);
  if (!credential) {
    throw oauthFlowError("missing_client_credential", `no OAuth app credential ${oauth.client.credentialKey} is set`, {
      fix: credentialFix(oauth.client.credentialKey),
      details: { credentialKey: oauth.client.credentialKey },
    });
  }
  return credential;
}

/** Non-secret settings go on the connection; x-secret ones into connection_secrets, encrypted. */
export function splitSettings(manifest: ConnectorManifest, settings: Record<string, unknown>): { plain: Record<string, unknown>; secret: Record<string, string> } {
  const plain: Record<string, unknown> = {};
  const secret: Record<string, string> = {};
  for (const [name, value] of Object.entries(settings)) {
    if (isSecretSetting(manifest, name)) {
      if (value !== undefined && value !== null && value !== "") secret[name] = typeof value === "string" ? value : JSON.stringify(value);
    } else plain[name] = value;
  }
  registerSecret(...Object.values(secret));
  return { plain, secret };
}

export function buildAuthorizationUrl(
  oauth: OAuthConfig,
  settings: Record<string, unknown>,
  p: { clientId: string; redirectUri: string; state: string; codeChallenge?: string },
): string {
  const url = new URL(expandTemplate(oauth.authorizationUrlTemplate, settings));
  url.searchParams.set("client_id", p.clientId);
  url.searchParams.set("response_type", "code");
  const scopes = requestedScopes(oauth);
  if (scopes.length) url.searchParams.set("scope", scopes.join(oauth.scopeSeparator));
  url.searchParams.set("redirect_uri", p.redirectUri);
  url.searchParams.set("state", p.state);
  if (p.codeChallenge) {
    url.searchParams.set("code_challenge", p.codeChallenge);
    url.searchParams.set("code_challenge_method", "S256");
  }
  for (const [k, v] of Object.entries(oauth.authorizationParams)) url.searchParams.set(k, v);
  return url.toString();
}

/** The settings of a start: the merchant's, plus the session's presets (which the merchant cannot change). */
export function startSettings(manifest: ConnectorManifest, given: Record<string, unknown>, session: ConnectSession | undefined): Record<string, unknown> {
  refuseUnknownSettings(manifest, Object.keys(given));
  if (!session) return given;
  for (const [name, value] of Object.entries(given)) {
    if (name in session.settings && session.settings[name] !== value) {
      throw oauthFlowError("setting_preset", `the setting ${name} is preset by the app that sent you here`, { details: { setting: name } });
    }
  }
  return { ...given, ...session.settings };
}

/** The connector and connection a session allows for this start. */
function checkSessionScope(session: ConnectSession, manifest: ConnectorManifest, connectionId: string | undefined): string | undefined {
  if (!session.connectorKeys.includes(manifest.key)) {
    throw oauthFlowError("connector_not_allowed", `this connect session does not allow connector ${manifest.key}`, { details: { allowed: session.connectorKeys } });
  }
  if (connectionId !== undefined && connectionId !== session.connectionId) {
    throw oauthFlowError("connector_not_allowed", "a reconnect needs a reconnect session for that connection", { fix: "POST /api/connect/sessions/reconnect" });
  }
  return session.connectionId ?? undefined;
}

export async function startAuthorization(deps: OAuthFlowDeps, input: StartAuthorizationInput): Promise<StartAuthorizationResult> {
  const { manifest, session } = input;
  const oauth = requireOAuth(manifest);
  const redirectUri = checkRedirectUri(input.redirectUri);
  const reconnectId = session ? checkSessionScope(session, manifest, input.connectionId) : input.connectionId;
  // Loading the connector through the host's registry registers its provider plug-in (the
  // normalizers its settings need) even when the caller resolved the manifest elsewhere.
  await deps.connectors.get(manifest.key);
  const settings = validatedSettings(manifest, startSettings(manifest, input.settings, session), deps.providers);
  const credential = await requireCredential(deps, oauth);
  const { plain, secret } = splitSettings(manifest, settings);
  const authorizationUrlBase = expandTemplate(oauth.authorizationUrlTemplate, settings); // only after validation

  const { store, vault } = deps;
  const state = randomToken(32);
  const verifier = oauth.pkce ? pkceVerifier() : undefined;
  registerSecret(state, verifier, input.browserBinding);
  const pendingId = `auth_${randomUUID().replaceAll("-", "")}`;
  const expiresAt = store.now() + STATE_TTL_MS;
  const encrypt = (value: string, field: "code_verifier_enc" | "secret_settings_enc") => vault.encrypt(value, columnAad(`pending_authorizations.${field}`, { id: pendingId }));

  const connectionId = await store.transaction(async (tx) => {
    if (session && !(await tx.connectSessions.consume(session.id))) {
      throw oauthFlowError("connect_session_used", "the connect session was already used or has expired", { fix: "ask the app that sent you here for a new link" });
    }
    if (reconnectId) {
      const conn = await tx.connections.get(reconnectId);
      if (!conn)
        throw oauthFlowError("connection_not_found", `no connection ${reconnectId}`, { fix: "list the connections to find its id", details: { connectionId: reconnectId } });
      if (conn.connector_key !== manifest.key) {
        throw oauthFlowError("connection_not_found", `connection ${conn.id} belongs to connector ${conn.connector_key}, not ${manifest.key}`);
      }
    }
    // Settings, secrets included, wait in the pending authorization until the callback succeeds.
    const id = reconnectId ?? newConnectionId();
    await tx.pendingAuthorizations.insert({
      id: pendingId,
      state_hash: hashState(state),
      connector_key: manifest.key,
      connection_id: id,
      reconnect: reconnectId ? 1 : 0,
      session_id: session?.id ?? null,
      browser_binding_hash: input.browserBinding ? hashState(input.browserBinding) : null,
      code_verifier_enc: verifier ? encrypt(verifier, "code_verifier_enc") : null,
      redirect_uri: redirectUri,
      settings: plain,
      secret_settings_enc: Object.keys(secret).length ? encrypt(JSON.stringify(secret), "secret_settings_enc") : null,
      force: input.force ? 1 : 0,
      expires_at: expiresAt,
    });
    await tx.auditLog.append("oauth.start", {
      connectionId: reconnectId ?? null,
      detail: { connector: manifest.key, host: new URL(authorizationUrlBase).host, session: session?.id ?? null },
    });
    await tx.pendingAuthorizations.prune();
    return id;
  });

  const authorizationUrl = buildAuthorizationUrl(oauth, settings, {
    clientId: credential.clientId,
    redirectUri,
    state,
    ...(verifier ? { codeChallenge: pkceChallengeS256(verifier) } : {}),
  });
  deps.logger.info("oauth authorization started", { connectionId, connector: manifest.key });
  return { connectionId, authorizationId: pendingId, authorizationUrl, expiresAt };
}

export const newConnectionId = (): string => `conn_${randomUUID().replaceAll("-", "")}`;
