// Step 2 of the authorization-code flow: the provider redirected back. Each check is
// its own small function with its own error code; the order matters (state before
// anything that trusts the query, verifiers before the code is spent, every check on the
// new tokens — scopes, postConnect, the provider account — before they are stored, so a
// reconnect that fails leaves the connection's current tokens, settings and status as they were).
import { redact, registerSecret, type ConnectorManifest, type OAuthConfig } from "@backfill-io/sdk";
import { CALLBACK_VERIFIERS, missingScopes } from "@backfill-io/sdk/policy";
import type { OAuthAppCredential } from "../credentials/credentials.js";
import type { ConnectionRow, PendingAuthorizationRow } from "../db/schema.js";
import type { Store } from "../db/store.js";
import { writeTokens } from "../tokens/token-store.js";
import { requireCredential, requireOAuth } from "./authorize.js";
import type { OAuthFlowDeps } from "./deps.js";
import { OAuthFlowError } from "./errors.js";
import { hashState } from "./pkce.js";
import { providerAccountFrom, routeFailureReason, withCandidateAuthorization, type ProviderAccount } from "./post-connect.js";
import { TokenEndpointError, parseTokenResponse, requestToken, type TokenSet } from "./token-endpoint.js";

export type CallbackQuery = Record<string, string | undefined>;

export type CompleteAuthorizationResult = {
  connectionId: string;
  connectorKey: string;
  status: "active";
  providerAccount: ProviderAccount;
  scopes: string[];
};

/** The provider said no (user denied, bad scope...). */
export function checkProviderError(query: CallbackQuery): void {
  if (!query.error) return;
  const description = query.error_description ? `: ${query.error_description.slice(0, 300)}` : "";
  throw new OAuthFlowError("provider_error", redact(`the provider refused the authorization (${query.error.slice(0, 100)}${description})`), {
    details: { error: query.error.slice(0, 100) },
  });
}

/** Finds the pending authorization of `state` and consumes it (single use, unexpired). */
export async function consumeState(store: Store, state: string | undefined): Promise<PendingAuthorizationRow> {
  if (!state) throw new OAuthFlowError("missing_state", "the callback has no state parameter");
  registerSecret(state);
  const pending = await store.findPendingAuthorization(hashState(state));
  if (!pending) throw new OAuthFlowError("unknown_state", "the callback state matches no authorization started by this host", { fix: "start again with backfill connect" });
  if (pending.used_at !== null) throw new OAuthFlowError("state_replayed", "the callback state was already used (a replayed callback)", { fix: "start again with backfill connect" });
  if (pending.expires_at <= store.now()) {
    await store.consumePendingAuthorization(pending.id);
    throw new OAuthFlowError("state_expired", "the authorization expired (10 minutes) before the callback arrived", { fix: "start again with backfill connect" });
  }
  if (!(await store.consumePendingAuthorization(pending.id))) {
    throw new OAuthFlowError("state_replayed", "the callback state was already used (a replayed callback)", { fix: "start again with backfill connect" });
  }
  return pending;
}

/** Runs the manifest's named callback verifiers (e.g. shopifyHmac) with the client secret. */
export function runCallbackVerifiers(
  oauth: OAuthConfig,
  query: CallbackQuery,
  ctx: { clientSecret: string; settings: Record<string, unknown>; now: number },
): void {
  const clean = Object.fromEntries(Object.entries(query).filter((e): e is [string, string] => typeof e[1] === "string"));
  for (const name of oauth.callbackVerifiers) {
    const verifier = CALLBACK_VERIFIERS[name];
    if (!verifier) throw new OAuthFlowError("callback_verification_failed", `unknown callback verifier ${name}`);
    const result = verifier(clean, ctx);
    if (!result.ok) {
      throw new OAuthFlowError("callback_verification_failed", `callback rejected by ${name}: ${result.message}`, { details: { verifier: name, reason: result.code } });
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
    if (error instanceof TokenEndpointError) {
      const code = error.kind === "invalid_response" ? "token_response_invalid" : "token_request_failed";
      throw new OAuthFlowError(code, `code exchange failed: ${error.message}`, { details: { status: error.status, oauthError: error.oauthError } });
    }
    throw error;
  }
}

async function loadConnector(deps: OAuthFlowDeps, connection: ConnectionRow): Promise<ConnectorManifest> {
  const connector = await deps.connectors.get(connection.connector_key);
  if (!connector) throw new OAuthFlowError("connector_not_found", `connector ${connection.connector_key} is not installed`, { fix: `install @backfill-io/connector-${connection.connector_key}` });
  return connector.manifest;
}

export async function completeAuthorization(deps: OAuthFlowDeps, query: CallbackQuery): Promise<CompleteAuthorizationResult> {
  const { store, vault, logger } = deps;
  registerSecret(query.code);
  if (query.error && query.state) {
    // Burn the state so the same callback cannot be replayed with a code later.
    const pending = await store.findPendingAuthorization(hashState(query.state));
    if (pending) await store.consumePendingAuthorization(pending.id);
  }
  checkProviderError(query);
  const pending = await consumeState(store, query.state);
  if (!query.code) throw new OAuthFlowError("missing_code", "the callback has no code parameter");
  const connection = await store.getConnection(pending.connection_id);
  if (!connection) throw new OAuthFlowError("connection_not_found", `connection ${pending.connection_id} no longer exists`);
  const manifest = await loadConnector(deps, connection);
  const oauth = requireOAuth(manifest);
  const credential = await requireCredential(deps, oauth);
  const settings = JSON.parse(pending.settings_json) as Record<string, unknown>;
  const now = store.now();

  runCallbackVerifiers(oauth, query, { clientSecret: credential.clientSecret, settings, now });

  const codeVerifier = pending.code_verifier_enc
    ? vault.decrypt(pending.code_verifier_enc, { table: "pending_authorizations", rowId: pending.id, field: "code_verifier_enc" })
    : null;
  registerSecret(codeVerifier);
  const tokens = await exchangeCode(deps, oauth, { settings, credential, code: query.code, redirectUri: pending.redirect_uri, codeVerifier, now });

  const granted = tokens.scopes ?? oauth.scopes;
  const missing = missingScopes(granted, oauth.scopes);
  // A reconnect has tokens to protect; a first connect has none yet.
  const reconnect = (await store.getTokens(connection.id)) !== undefined;
  if (missing.length) {
    await store.transaction(async (tx) => {
      if (!reconnect) {
        // Nothing to keep: the connection records what the grant lacks.
        await writeTokens(tx, vault, connection.id, tokens, { scopes: granted });
        await tx.updateConnection(connection.id, { settings });
        await tx.setConnectionStatus(connection.id, "reauth_required", "missing_scopes");
      }
      await tx.audit("oauth.missing_scopes", { connectionId: connection.id, detail: { missing, reconnect } });
    });
    logger.warn("oauth grant is missing scopes", { connectionId: connection.id, missing, reconnect });
    throw new OAuthFlowError("missing_scopes", `the provider granted fewer scopes than ${manifest.key} needs: missing ${missing.join(", ")}`, {
      fix: `approve every requested scope, then run backfill connect ${manifest.key} --connection ${connection.id}`,
      details: { missingScopes: missing, connectionId: connection.id },
    });
  }

  let account: ProviderAccount;
  try {
    // postConnect runs with the new token and the settings this authorization started with, neither stored yet.
    account = await withCandidateAuthorization(connection.id, { accessToken: tokens.accessToken, expiresAt: tokens.expiresAt, settings }, () =>
      identifyAccount(deps, connection.id, oauth, tokens),
    );
  } catch (error) {
    if (reconnect) await store.audit("oauth.reconnect_failed", { connectionId: connection.id, detail: { code: (error as { code?: unknown }).code ?? "error" } });
    else await store.updateConnection(connection.id, { statusReason: "post_connect_failed" });
    throw error;
  }

  if (connection.provider_account_id && connection.provider_account_id !== account.id && !pending.force) {
    await store.audit("oauth.account_mismatch", { connectionId: connection.id, detail: { expected: connection.provider_account_id, got: account.id } });
    throw new OAuthFlowError(
      "provider_account_mismatch",
      `connection ${connection.id} belongs to provider account ${connection.provider_account_id}, but the authorization was for ${account.id}`,
      { fix: `reconnect with --force to replace it, or create a new connection`, details: { expected: connection.provider_account_id, got: account.id } },
    );
  }

  // Every check passed: the new tokens and the connection change in one transaction.
  await store.transaction(async (tx) => {
    await writeTokens(tx, vault, connection.id, tokens, { scopes: granted });
    await tx.updateConnection(connection.id, {
      status: "active",
      statusReason: null,
      settings,
      connectorVersion: manifest.version,
      providerAccountId: account.id,
      providerAccountName: account.name,
      providerAccountDomain: account.domain,
      connectedAt: tx.now(),
    });
    await tx.audit("oauth.connected", { connectionId: connection.id, detail: { providerAccountId: account.id, scopes: granted } });
  });
  logger.info("oauth connection active", { connectionId: connection.id, connector: manifest.key, providerAccountId: account.id });
  return { connectionId: connection.id, connectorKey: manifest.key, status: "active", providerAccount: account, scopes: granted };
}

/** Calls postConnect (when declared) and reads the provider account identity. */
async function identifyAccount(deps: OAuthFlowDeps, connectionId: string, oauth: OAuthConfig, tokens: TokenSet): Promise<ProviderAccount> {
  if (!oauth.postConnect) {
    if (tokens.accountId) return { id: tokens.accountId, name: null, domain: null };
    throw new OAuthFlowError("post_connect_failed", "the manifest has no postConnect route and the token response no account id (token.accountIdPath)");
  }
  let response;
  try {
    response = await deps.postConnect(connectionId, oauth.postConnect);
  } catch (error) {
    throw new OAuthFlowError("post_connect_failed", redact(`postConnect ${oauth.postConnect.route} failed: ${(error as Error).message}`));
  }
  if (response.status < 200 || response.status >= 300) {
    throw new OAuthFlowError("post_connect_failed", redact(`postConnect ${oauth.postConnect.route} answered ${routeFailureReason(response)}`), {
      details: { status: response.status },
    });
  }
  const account = providerAccountFrom(response.body);
  if (!account) {
    throw new OAuthFlowError("post_connect_failed", `postConnect ${oauth.postConnect.route} did not return providerAccountId`, {
      fix: "return api.json({ providerAccountId, providerAccountName, providerAccountDomain }) from the route",
    });
  }
  return account;
}
