// Step 2 of the authorization-code flow: the provider redirected back. Each check is
// its own small function with its own error code; the order matters (state before
// anything that trusts the query, verifiers before the code is spent, every check on the
// new tokens — scopes, postConnect, the provider account — before they are stored, so a
// reconnect that fails leaves the connection's current tokens, settings and status as they were).
import { isBackfillError, redact, registerSecret, type ConnectorManifest, type OAuthConfig, type ProviderRegistry } from "@backfill-io/sdk";
import { expandTemplate, missingScopes, optionalScopeNotices, timingSafeEqualText, type OptionalScopeNotice } from "@backfill-io/sdk/policy";
import type { OAuthAppCredential } from "../credentials/credentials.js";
import type { ConnectionRow } from "../store/repositories/connections.js";
import { decodePendingSecretSettings, type PendingAuthorizationRow } from "../store/repositories/pending-authorizations.js";
import type { Store } from "../store/store.js";
import { writeTokens } from "../tokens/token-store.js";
import { emitAuthEvent } from "../events/auth-events.js";
import { requireCredential, requireOAuth } from "./authorize.js";
import type { OAuthFlowDeps } from "./deps.js";
import { oauthFlowError } from "./errors.js";
import { TOKEN_REQUEST_FAILED, TOKEN_RESPONSE_INVALID } from "../error-codes.js";
import { hashState } from "./pkce.js";
import { providerAccountFrom, routeFailureReason, type CandidateAuthorization, type ProviderAccount } from "./post-connect.js";
import { TOKEN_ENDPOINT_ERROR_CODES, parseTokenResponse, requestToken, type TokenSet } from "./token-endpoint.js";
import { columnAad } from "../store/encrypted-columns.js";

export type CallbackQuery = Record<string, string | undefined>;

export type CompleteAuthorizationResult = {
  connectionId: string;
  connectorKey: string;
  status: "active";
  providerAccount: ProviderAccount;
  scopes: string[];
  /** Optional scopes the grant lacks (the connect succeeds; what is unavailable is said here). */
  notices: OptionalScopeNotice[];
};

/** The provider said no (user denied, bad scope...). */
export function checkProviderError(query: CallbackQuery): void {
  if (!query.error) return;
  const description = query.error_description ? `: ${query.error_description.slice(0, 300)}` : "";
  throw oauthFlowError("provider_error", redact(`the provider refused the authorization (${query.error.slice(0, 100)}${description})`), {
    details: { error: query.error.slice(0, 100) },
  });
}

/**
 * Finds the pending authorization of `state` and consumes it (single use, unexpired).
 * `check` runs before it is consumed: a callback refused there (another browser, another
 * connector's path) leaves the state to the genuine callback.
 */
export async function consumeState(store: Store, state: string | undefined, check: (pending: PendingAuthorizationRow) => void = () => {}): Promise<PendingAuthorizationRow> {
  if (!state) throw oauthFlowError("missing_state", "the callback has no state parameter");
  registerSecret(state);
  const pending = await store.pendingAuthorizations.findByStateHash(hashState(state));
  if (!pending) throw oauthFlowError("unknown_state", "the callback state matches no authorization started by this host", { fix: "start the connection again" });
  if (pending.used_at !== null) throw oauthFlowError("state_replayed", "the callback state was already used (a replayed callback)", { fix: "start the connection again" });
  if (pending.expires_at <= store.now()) {
    await store.pendingAuthorizations.consume(pending.id);
    throw oauthFlowError("state_expired", "the authorization expired (10 minutes) before the callback arrived", { fix: "start the connection again" });
  }
  check(pending);
  if (!(await store.pendingAuthorizations.consume(pending.id))) {
    throw oauthFlowError("state_replayed", "the callback state was already used (a replayed callback)", { fix: "start the connection again" });
  }
  return pending;
}

/** Runs the manifest's named callback verifiers (from the registered provider plug-ins) with the client secret. */
export function runCallbackVerifiers(
  oauth: OAuthConfig,
  query: CallbackQuery,
  ctx: { clientSecret: string; settings: Record<string, unknown>; now: number },
  providers: ProviderRegistry,
): void {
  const clean = Object.fromEntries(Object.entries(query).filter((e): e is [string, string] => typeof e[1] === "string"));
  for (const name of oauth.callbackVerifiers) {
    const verifier = providers.callbackVerifier(name);
    if (!verifier) throw oauthFlowError("callback_verification_failed", `unknown callback verifier ${name}`);
    const result = verifier(clean, ctx);
    if (!result.ok) {
      throw oauthFlowError("callback_verification_failed", `callback rejected by ${name}: ${result.message}`, { details: { verifier: name, reason: result.code } });
    }
  }
}

/** Exchanges the authorization code at the token endpoint, as the manifest says. */
export async function exchangeCode(
  deps: Pick<OAuthFlowDeps, "http">,
  oauth: OAuthConfig,
  p: { settings: Record<string, unknown>; credential: OAuthAppCredential; code: string; redirectUri: string; codeVerifier: string | null; now: number },
): Promise<TokenSet> {
  const params: Record<string, string> = { grant_type: "authorization_code", code: p.code, redirect_uri: p.redirectUri };
  if (p.codeVerifier) params.code_verifier = p.codeVerifier;
  try {
    const body = await requestToken({ http: deps.http, oauth, settings: p.settings, credential: p.credential, params });
    return parseTokenResponse(oauth, body, p.now);
  } catch (error) {
    if (isBackfillError(error, TOKEN_ENDPOINT_ERROR_CODES)) {
      const code = error.code === TOKEN_RESPONSE_INVALID ? TOKEN_RESPONSE_INVALID : TOKEN_REQUEST_FAILED;
      throw oauthFlowError(code, `code exchange failed: ${error.message}`, { details: error.details });
    }
    throw error;
  }
}

/** The callback must arrive at the path of the connector its state was minted for (mix-up defence). */
export function checkConnectorBinding(pending: PendingAuthorizationRow, connectorKey: string | undefined): void {
  if (connectorKey !== undefined && connectorKey !== pending.connector_key) {
    throw oauthFlowError("connector_mismatch", `this authorization was started for ${pending.connector_key}, but the callback arrived for ${connectorKey}`);
  }
}

/** The callback must come from the browser that started the flow (RFC 9700 §4.7.1). */
export function checkBrowserBinding(pending: PendingAuthorizationRow, browserBinding: string | undefined): void {
  if (pending.browser_binding_hash === null) return;
  if (!browserBinding || !timingSafeEqualText(hashState(browserBinding), pending.browser_binding_hash)) {
    throw oauthFlowError("browser_mismatch", "the callback did not come from the browser that started this connection", {
      fix: "finish the connection in the same browser you started it in",
    });
  }
}

/** RFC 9207: an `iss` that is not the expected authorization server is refused before the code is spent. */
export function checkIssuer(oauth: OAuthConfig, settings: Record<string, unknown>, iss: string | undefined): void {
  const declared = oauth.issuer ? expandTemplate(oauth.issuer, settings) : undefined;
  if (declared !== undefined && iss === undefined) {
    throw oauthFlowError("issuer_mismatch", "the callback has no iss parameter, but this provider always sends one (RFC 9207)");
  }
  if (iss === undefined) return;
  const expected = declared ?? new URL(expandTemplate(oauth.authorizationUrlTemplate, settings)).origin;
  if (iss.replace(/\/$/, "") !== expected.replace(/\/$/, "")) {
    throw oauthFlowError("issuer_mismatch", `the callback's issuer is not ${expected} (a mix-up: the code is not exchanged)`, { details: { expected } });
  }
}

async function loadConnector(deps: OAuthFlowDeps, key: string): Promise<ConnectorManifest> {
  const connector = await deps.connectors.get(key);
  if (!connector) throw oauthFlowError("connector_not_found", `connector ${key} is not installed`, { fix: `install @backfill-io/connector-${key}` });
  return connector.manifest;
}

/** Where the callback arrived, beyond its query: the connector path and the browser-binding cookie. */
export type CallbackContext = { connectorKey?: string; browserBinding?: string };

/** The settings the authorization started with: plain ones and the x-secret ones (decrypted). */
function pendingSettings(vault: OAuthFlowDeps["vault"], pending: PendingAuthorizationRow) {
  const plain = pending.settings;
  const secrets = pending.secret_settings_enc
    ? decodePendingSecretSettings(pending, vault.decrypt(pending.secret_settings_enc, columnAad("pending_authorizations.secret_settings_enc", pending)))
    : {};
  registerSecret(...Object.values(secrets));
  return { plain, secrets };
}

/** The connection the callback completes: the reconnected one, or a new one created now (no settings yet). */
async function callbackConnection(deps: OAuthFlowDeps, pending: PendingAuthorizationRow, manifest: ConnectorManifest): Promise<ConnectionRow> {
  if (pending.reconnect) {
    const existing = await deps.store.connections.get(pending.connection_id);
    if (!existing) throw oauthFlowError("connection_not_found", `connection ${pending.connection_id} no longer exists`);
    return existing;
  }
  const session = pending.session_id ? await deps.store.connectSessions.get(pending.session_id) : undefined;
  return deps.store.connections.create({
    id: pending.connection_id,
    connectorKey: manifest.key,
    connectorVersion: manifest.version,
    settings: {},
    status: "pending",
    endUser: session?.end_user ?? null,
    tags: session?.tags ?? {},
  });
}

async function putSecrets(tx: Store, vault: OAuthFlowDeps["vault"], connectionId: string, secrets: Record<string, string>): Promise<void> {
  for (const [name, value] of Object.entries(secrets)) {
    await tx.connectionSecrets.put(connectionId, name, vault.encrypt(value, columnAad("connection_secrets.value_enc", { connection_id: connectionId, name })));
  }
}

export async function completeAuthorization(deps: OAuthFlowDeps, query: CallbackQuery, context: CallbackContext = {}): Promise<CompleteAuthorizationResult> {
  const { store, vault, logger } = deps;
  registerSecret(query.code, context.browserBinding);
  if (query.error && query.state) {
    // Burn the state so the same callback cannot be replayed with a code later.
    const pending = await store.pendingAuthorizations.findByStateHash(hashState(query.state));
    if (pending) await store.pendingAuthorizations.consume(pending.id);
  }
  checkProviderError(query);
  const pending = await consumeState(store, query.state, (p) => {
    checkConnectorBinding(p, context.connectorKey);
    checkBrowserBinding(p, context.browserBinding);
  });
  if (!query.code) throw oauthFlowError("missing_code", "the callback has no code parameter");
  const manifest = await loadConnector(deps, pending.connector_key);
  const oauth = requireOAuth(manifest);
  const { plain: settings, secrets } = pendingSettings(vault, pending);
  checkIssuer(oauth, settings, query.iss);
  const credential = await requireCredential(deps, oauth);
  const now = store.now();

  runCallbackVerifiers(oauth, query, { clientSecret: credential.clientSecret, settings, now }, deps.providers);

  const codeVerifier = pending.code_verifier_enc ? vault.decrypt(pending.code_verifier_enc, columnAad("pending_authorizations.code_verifier_enc", pending)) : null;
  registerSecret(codeVerifier);
  const tokens = await exchangeCode(deps, oauth, { settings, credential, code: query.code, redirectUri: pending.redirect_uri, codeVerifier, now });
  const connection = await callbackConnection(deps, pending, manifest);

  const granted = tokens.scopes ?? oauth.scopes;
  const missing = missingScopes(granted, oauth.scopes);
  // A reconnect has tokens to protect; a first connect has none yet.
  const reconnect = (await store.tokens.get(connection.id)) !== undefined;
  if (missing.length) {
    await store.transaction(async (tx) => {
      if (!reconnect) {
        // Nothing to keep: the connection records what the grant lacks.
        await writeTokens(tx, vault, connection.id, tokens, { scopes: granted });
        await tx.connections.update(connection.id, { settings });
        await putSecrets(tx, vault, connection.id, secrets);
        await tx.connections.setStatus(connection.id, "reauth_required", "missing_scopes");
        await emitAuthEvent(tx, "connection.reauth_required", connection.id);
      }
      await tx.auditLog.append("oauth.missing_scopes", { connectionId: connection.id, detail: { missing, reconnect } });
    });
    logger.warn("oauth grant is missing scopes", { connectionId: connection.id, missing, reconnect });
    throw oauthFlowError("missing_scopes", `the provider granted fewer scopes than ${manifest.key} needs: missing ${missing.join(", ")}`, {
      fix: missingScopesFix(manifest, connection.id, missing, granted),
      details: { missingScopes: missing, connectionId: connection.id, connectorKey: manifest.key },
    });
  }

  let account: ProviderAccount;
  try {
    // postConnect runs with the new token and the settings this authorization started with, neither stored yet.
    account = await identifyAccount(deps, connection.id, oauth, tokens, { accessToken: tokens.accessToken, expiresAt: tokens.expiresAt, settings, secrets });
  } catch (error) {
    if (reconnect) await store.auditLog.append("oauth.reconnect_failed", { connectionId: connection.id, detail: { code: (error as { code?: unknown }).code ?? "error" } });
    else await store.connections.update(connection.id, { statusReason: "post_connect_failed" });
    throw error;
  }

  if (connection.provider_account_id && connection.provider_account_id !== account.id && !pending.force) {
    await store.auditLog.append("oauth.account_mismatch", { connectionId: connection.id, detail: { expected: connection.provider_account_id, got: account.id } });
    throw oauthFlowError(
      "provider_account_mismatch",
      `connection ${connection.id} belongs to provider account ${connection.provider_account_id}, but the authorization was for ${account.id}`,
      {
        fix: "reconnect with force to replace the account, or create a new connection",
        details: { expected: connection.provider_account_id, got: account.id, connectionId: connection.id, connectorKey: manifest.key },
      },
    );
  }

  // Optional scopes do not fail the connect; what their absence costs is recorded and returned.
  const notices = optionalScopeNotices(oauth, granted);
  // Every check passed: the new tokens and the connection change in one transaction.
  await store.transaction(async (tx) => {
    await writeTokens(tx, vault, connection.id, tokens, { scopes: granted });
    await putSecrets(tx, vault, connection.id, secrets);
    await tx.connections.update(connection.id, {
      status: "active",
      statusReason: null,
      settings,
      connectorVersion: manifest.version,
      providerAccountId: account.id,
      providerAccountName: account.name,
      providerAccountDomain: account.domain,
      connectedAt: tx.now(),
    });
    await tx.auditLog.append("oauth.connected", { connectionId: connection.id, detail: { providerAccountId: account.id, scopes: granted } });
    if (notices.length) await tx.auditLog.append("oauth.optional_scopes_not_granted", { connectionId: connection.id, detail: { notices } });
    await emitAuthEvent(tx, reconnect ? "connection.reconnected" : "connection.created", connection.id);
  });
  logger.info("oauth connection active", { connectionId: connection.id, connector: manifest.key, providerAccountId: account.id });
  for (const notice of notices) logger.warn("oauth grant lacks an optional scope", { connectionId: connection.id, scope: notice.scope, message: notice.message });
  return { connectionId: connection.id, connectorKey: manifest.key, status: "active", providerAccount: account, scopes: granted, notices };
}

/**
 * What to change when a grant lacks scopes. The merchant may have unticked one; or the
 * provider dropped it by design (an unknown or protected scope, one the app is not approved
 * for), or reused an earlier, narrower consent: then reconnecting changes nothing until the
 * manifest's scopes or authorizationParams (e.g. prompt=consent) do.
 */
export function missingScopesFix(manifest: ConnectorManifest, connectionId: string, missing: readonly string[], granted: readonly string[]): string {
  return [
    `the provider granted ${granted.length ? granted.join(", ") : "no scopes"}; if the merchant declined ${missing.join(", ")}, reconnect connection ${connectionId} and approve them`,
    `if the provider drops ${missing.length > 1 ? "them" : "it"} by design (not approved for the app, or not a scope it grants), remove ${missing.length > 1 ? "them" : "it"} from oauth.scopes in ${manifest.key}'s manifest`,
    `if it reused an earlier consent, ask for a fresh one with oauth.authorizationParams (e.g. prompt=consent) and reconnect`,
  ].join("; ");
}

/** Calls postConnect (when declared) and reads the provider account identity. */
async function identifyAccount(deps: OAuthFlowDeps, connectionId: string, oauth: OAuthConfig, tokens: TokenSet, candidate: CandidateAuthorization): Promise<ProviderAccount> {
  if (!oauth.postConnect) {
    if (tokens.accountId) return { id: tokens.accountId, name: null, domain: null };
    throw oauthFlowError("post_connect_failed", "the manifest has no postConnect route and the token response no account id (token.accountIdPath)");
  }
  let response;
  try {
    response = await deps.postConnect(connectionId, oauth.postConnect, candidate);
  } catch (error) {
    throw oauthFlowError("post_connect_failed", redact(`postConnect ${oauth.postConnect.route} failed: ${(error as Error).message}`));
  }
  if (response.status < 200 || response.status >= 300) {
    throw oauthFlowError("post_connect_failed", redact(`postConnect ${oauth.postConnect.route} answered ${routeFailureReason(response)}`), {
      details: { status: response.status },
    });
  }
  const account = providerAccountFrom(response.body);
  if (!account) {
    throw oauthFlowError("post_connect_failed", `postConnect ${oauth.postConnect.route} did not return providerAccountId`, {
      fix: "return api.json({ providerAccountId, providerAccountName, providerAccountDomain }) from the route",
    });
  }
  return account;
}
