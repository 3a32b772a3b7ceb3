// Access tokens at run time. `accessToken()` answers from the vault and refreshes when
// the SDK's decideAccessToken says so: single-flight per connection in this process (a
// Map of promises) AND a lease row across processes. A rotated refresh token is written
// in the same statement as the new access token, before any caller sees either.
//
// A refresh never outlives its lease unnoticed: each token request's timeout is a third
// of the lease TTL, the lease is renewed (only while still ours) every third of its TTL
// until the refresh ends, and the final write happens only if this process still holds
// the lease. If another process took over meanwhile, what it wrote stands.
import { randomUUID } from "node:crypto";
import {
  CLIENT_CREDENTIAL_REJECTED,
  CONNECTION_NOT_FOUND,
  CONNECTOR_NOT_FOUND,
  MIN_TTL_UNSATISFIABLE,
  MISSING_CLIENT_CREDENTIAL,
  NOT_OAUTH_CONNECTOR,
  BackfillError,
  isBackfillError,
  REAUTH_REASONS,
  ReauthRequiredError,
  type ConnectorManifest,
  type OAuthConfig,
  type ReauthReason,
  unregisterSecret,
} from "@backfill-io/sdk";
import { decideAccessToken, type TokenDecision } from "@backfill-io/sdk/policy";
import { credentialFix } from "../credentials/credentials.js";
import { TOKEN_ENDPOINT_UNAVAILABLE, TOKEN_REQUEST_REJECTED } from "../error-codes.js";
import type { ConnectionRow } from "../store/repositories/connections.js";
import type { OAuthTokenRow } from "../store/repositories/tokens.js";
import type { Store } from "../store/store.js";
import { parseTokenResponse, requestToken, tokenEndpointRetryPolicy, type TokenSet } from "../oauth/token-endpoint.js";
import { retry, waitFor } from "../retry/retry.js";
import type { RetryPolicy } from "../retry/policy.js";
import { decryptTokens, tokenGrantFingerprint, writeTokens } from "./token-store.js";
import type { TokenDeps } from "./deps.js";
import { emitAuthEvent } from "../events/auth-events.js";

export type TokenManagerOptions = {
  /**
   * How long a refresh lease holds before another process may take over. Each token
   * request's timeout and the lease renewal interval are a third of it.
   */
  leaseTtlMs?: number;
  /** How often a waiter looks whether the lease holder finished. */
  leasePollMs?: number;
  /** Attempts for transient (5xx, 429, network) token-endpoint failures, and the first backoff. */
  retryAttempts?: number;
  retryBaseDelayMs?: number;
};

export type RefreshOutcome = { connectionId: string; ok: true; expiresAt: number | null } | { connectionId: string; ok: false; error: string; code: string };

type Loaded = { connection: ConnectionRow; manifest: ConnectorManifest; oauth: OAuthConfig; row: OAuthTokenRow | undefined };

function codeOf(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" ? code : "error";
}

/** The lease row's owner, read inside `tx` (the final write's transaction). */
async function leaseOwner(tx: Store, connectionId: string): Promise<string | null | undefined> {
  return tx.tokens.refreshLeaseOwner(connectionId);
}

export function blockedReasonOf(connection: ConnectionRow): ReauthReason | undefined {
  switch (connection.status) {
    case "reauth_required":
      return (REAUTH_REASONS as readonly string[]).includes(connection.status_reason ?? "") ? (connection.status_reason as ReauthReason) : "missing_token";
    case "revoked":
      return "revoked";
    case "disconnected":
      return "missing_token";
    default:
      return undefined;
  }
}

export class TokenManager {
  private readonly inFlight = new Map<string, Promise<string>>();
  /** The decrypted access token per connection, with the grant (ciphertext) it was read from. */
  private readonly decrypted = new Map<string, { token: string; grant: string }>();
  private readonly warnedShortLifetime = new Set<string>();
  /** This process's identity in lease rows. */
  readonly owner = `${process.pid}:${randomUUID()}`;
  private readonly leaseTtlMs: number;
  private readonly leasePollMs: number;
  /** Transient token-endpoint failures: the host's one retry loop (src/retry/) under the token endpoint's policy. */
  private readonly retryPolicy: RetryPolicy;
  /** Each token request's deadline: well inside the lease, so one request cannot outlive it. */
  readonly tokenRequestTimeoutMs: number;

  constructor(
    readonly deps: TokenDeps,
    opts: TokenManagerOptions = {},
  ) {
    this.leaseTtlMs = opts.leaseTtlMs ?? 30_000;
    this.leasePollMs = opts.leasePollMs ?? 50;
    this.tokenRequestTimeoutMs = Math.max(1, Math.floor(this.leaseTtlMs / 3));
    this.retryPolicy = tokenEndpointRetryPolicy({
      attempts: opts.retryAttempts ?? 3,
      baseDelayMs: opts.retryBaseDelayMs ?? 250,
      // No wait outlasts one request's deadline, so retries stay inside the lease the heartbeat renews.
      maxDelayMs: this.tokenRequestTimeoutMs,
    });
  }

  async load(connectionId: string): Promise<Loaded> {
    const connection = await this.deps.store.connections.get(connectionId);
    if (!connection) throw new BackfillError(CONNECTION_NOT_FOUND, `no connection ${connectionId}`);
    const connector = await this.deps.connectors.get(connection.connector_key);
    if (!connector) throw new BackfillError(CONNECTOR_NOT_FOUND, `connector ${connection.connector_key} is not installed`);
    const oauth = connector.manifest.connection.oauth;
    if (!oauth) throw new BackfillError(NOT_OAUTH_CONNECTOR, `connector ${connection.connector_key} does not use OAuth`);
    return { connection, manifest: connector.manifest, oauth, row: await this.deps.store.tokens.get(connectionId) };
  }

  /**
   * The minimum TTL that can be met: a provider that issues tokens for less than the
   * `minTtlSeconds` asked (60 s or 300 s tokens against the guide's 600 s) would make every
   * call refresh and never be satisfied, spending a refresh token each time. Capped at half
   * the lifetime the provider issued, so a fresh token is used and refreshed once per half-life.
   */
  private achievableMinTtl(loaded: Loaded, minTtlSeconds: number): number {
    const row = loaded.row;
    if (!row || row.expires_at === null) return minTtlSeconds;
    const issuedSeconds = Math.floor((row.expires_at - row.obtained_at) / 1000);
    if (issuedSeconds <= 0 || minTtlSeconds < issuedSeconds) return minTtlSeconds;
    const capped = Math.floor(issuedSeconds / 2);
    if (!this.warnedShortLifetime.has(loaded.connection.id)) {
      this.warnedShortLifetime.add(loaded.connection.id);
      this.deps.logger.warn("the provider issues access tokens for less than the minTtlSeconds asked; using each one until half its lifetime is left", {
        connectionId: loaded.connection.id,
        minTtlSeconds,
        issuedLifetimeSeconds: issuedSeconds,
      });
    }
    return capped;
  }

  decide(loaded: Loaded, askedMinTtlSeconds: number): TokenDecision {
    const { connection, oauth, row } = loaded;
    const minTtlSeconds = this.achievableMinTtl(loaded, askedMinTtlSeconds);
    return decideAccessToken(
      {
        hasAccessToken: !!row,
        expiresAt: row?.expires_at ?? undefined,
        grantedScopes: row?.scopes ?? [],
        requiredScopes: oauth.scopes,
        refreshEnabled: oauth.refresh.enabled,
        hasRefreshToken: !!row?.refresh_token_enc,
        blockedReason: blockedReasonOf(connection),
      },
      minTtlSeconds,
      this.deps.store.now(),
    );
  }

  /**
   * The connection's access token, valid for at least `minTtlSeconds`. Throws the SDK's
   * ReauthRequiredError (reason missing_token, missing_scopes, expired, refresh_failed, revoked).
   */
  async accessToken(connectionId: string, opts: { minTtlSeconds?: number } = {}): Promise<string> {
    return (await this.accessTokenGrant(connectionId, opts)).token;
  }

  /** accessToken(), with the grant the token belongs to (tokenGrantFingerprint of its row). */
  async accessTokenGrant(connectionId: string, opts: { minTtlSeconds?: number } = {}): Promise<{ token: string; grant: string }> {
    const minTtlSeconds = opts.minTtlSeconds ?? 0;
    const loaded = await this.load(connectionId);
    const decision = this.decide(loaded, minTtlSeconds);
    if (decision.action === "use") return this.usableToken(loaded.row!);
    this.decrypted.delete(connectionId);
    if (decision.action === "reauth") {
      throw new ReauthRequiredError(decision.reason, decision.missingScopes ? { missingScopes: decision.missingScopes } : {});
    }
    const joined = this.inFlight.has(connectionId);
    await this.singleFlight(connectionId, () => this.refreshUnderLease(connectionId, minTtlSeconds, false));
    // The refresh may have been started by a caller asking for less (or another process may
    // have written since): decide again on what is stored now.
    const after = await this.load(connectionId);
    const again = this.decide(after, minTtlSeconds);
    if (again.action === "use") return this.usableToken(after.row!);
    if (again.action === "reauth") throw new ReauthRequiredError(again.reason, again.missingScopes ? { missingScopes: again.missingScopes } : {});
    // A refresh we only joined was for a shorter minimum: one of our own may satisfy ours.
    if (joined) return this.accessTokenAfterOwnRefresh(connectionId, minTtlSeconds);
    throw this.tooShortError(connectionId, after, minTtlSeconds);
  }

  /**
   * The stored access token in plaintext, decrypted once per stored value: held in memory while
   * the row holds that ciphertext, replaced when a new token is written (a fresh nonce: another
   * ciphertext) and dropped when the connection has no usable token.
   */
  private usableToken(row: OAuthTokenRow): { token: string; grant: string } {
    const grant = tokenGrantFingerprint(row);
    const cached = this.decrypted.get(row.connection_id);
    if (cached?.grant === grant) return cached;
    const usable = { token: decryptTokens(this.deps.vault, row).accessToken, grant };
    this.decrypted.set(row.connection_id, usable);
    return usable;
  }

  /** Forgets the plaintext token held for `connectionId` (its grant was disconnected or revoked). */
  forgetToken(connectionId: string): void {
    this.decrypted.delete(connectionId);
  }

  private async accessTokenAfterOwnRefresh(connectionId: string, minTtlSeconds: number): Promise<{ token: string; grant: string }> {
    await this.singleFlight(connectionId, () => this.refreshUnderLease(connectionId, minTtlSeconds, false));
    const after = await this.load(connectionId);
    const decision = this.decide(after, minTtlSeconds);
    if (decision.action === "use") return this.usableToken(after.row!);
    if (decision.action === "reauth") throw new ReauthRequiredError(decision.reason, decision.missingScopes ? { missingScopes: decision.missingScopes } : {});
    throw this.tooShortError(connectionId, after, minTtlSeconds);
  }

  /** A freshly refreshed token still expires within the minimum asked: refreshing again will not help. */
  private tooShortError(connectionId: string, loaded: Loaded, minTtlSeconds: number): BackfillError {
    const expiresAt = loaded.row?.expires_at ?? null;
    const lifetime = expiresAt === null ? null : Math.max(0, Math.floor((expiresAt - this.deps.store.now()) / 1000));
    return new BackfillError(
      MIN_TTL_UNSATISFIABLE,
      `connection ${connectionId}: a freshly refreshed access token is valid for ${lifetime ?? "?"}s, less than the minTtlSeconds ${minTtlSeconds} asked for; ask for at most what the provider issues`,
      { connectionId, minTtlSeconds, validForSeconds: lifetime },
    );
  }

  /** Refreshes now even when the token is still fresh (refresh-due, tests). */
  async forceRefresh(connectionId: string): Promise<string> {
    return this.singleFlight(connectionId, () => this.refreshUnderLease(connectionId, 0, true));
  }

  private singleFlight(connectionId: string, run: () => Promise<string>): Promise<string> {
    const existing = this.inFlight.get(connectionId);
    if (existing) return existing;
    const promise = run().finally(() => this.inFlight.delete(connectionId));
    this.inFlight.set(connectionId, promise);
    return promise;
  }

  private async refreshUnderLease(connectionId: string, minTtlSeconds: number, force: boolean): Promise<string> {
    const { store, vault } = this.deps;
    const deadline = Date.now() + this.leaseTtlMs + 5_000;
    let sawOtherHolder = false;
    while (Date.now() < deadline) {
      const acquired = await store.tokens.acquireRefreshLease(connectionId, this.owner, this.leaseTtlMs);
      const loaded = await this.load(connectionId);
      if (!loaded.row) throw new ReauthRequiredError("missing_token");
      if (!acquired) {
        sawOtherHolder = true;
        await waitFor(this.leasePollMs);
        continue;
      }
      // We hold the lease. Another process may have refreshed while we waited.
      const decision = this.decide(loaded, minTtlSeconds);
      if (decision.action === "reauth") {
        await store.tokens.releaseRefreshLease(connectionId, this.owner);
        throw new ReauthRequiredError(decision.reason, decision.missingScopes ? { missingScopes: decision.missingScopes } : {});
      }
      if (decision.action === "use" && (!force || sawOtherHolder)) {
        await store.tokens.releaseRefreshLease(connectionId, this.owner);
        return decryptTokens(vault, loaded.row).accessToken;
      }
      return this.refreshHoldingLease(loaded);
    }
    throw new BackfillError("timeout", `timed out waiting for another process to refresh connection ${connectionId}`);
  }

  /**
   * Extends the lease only while this process still owns it (never re-takes one another
   * process holds or has released). False when the lease is no longer ours.
   */
  private async renewLease(connectionId: string): Promise<boolean> {
    return this.deps.store.tokens.renewRefreshLease(connectionId, this.owner, this.leaseTtlMs);
  }

  private async refreshHoldingLease(loaded: Loaded): Promise<string> {
    const connectionId = loaded.connection.id;
    // Keep the lease while the refresh runs (requests, retries, backoff), renewing every third of its TTL.
    let renewing: Promise<unknown> = Promise.resolve();
    const heartbeat = setInterval(
      () => {
        renewing = renewing
          .then(() => this.renewLease(connectionId))
          .catch((error: unknown) => this.deps.logger.warn("refresh lease renewal failed", { connectionId, error: (error as Error).message }));
      },
      Math.max(1, Math.floor(this.leaseTtlMs / 3)),
    );
    heartbeat.unref();
    try {
      return await this.refreshWithLease(loaded);
    } finally {
      clearInterval(heartbeat);
      await renewing;
    }
  }

  /** After another process took the lease over: what it stored, when that is usable. */
  private async tokenWrittenByLeaseTaker(connectionId: string): Promise<string> {
    const after = await this.load(connectionId);
    const decision = this.decide(after, 0);
    if (decision.action === "use") return decryptTokens(this.deps.vault, after.row!).accessToken;
    if (decision.action === "reauth") throw new ReauthRequiredError(decision.reason, decision.missingScopes ? { missingScopes: decision.missingScopes } : {});
    throw new BackfillError("http_error", `token refresh of connection ${connectionId} outlived its lease and another process took over; try again`, { retriable: true });
  }

  private async refreshWithLease(loaded: Loaded): Promise<string> {
    const { store, vault, logger } = this.deps;
    const { connection, oauth } = loaded;
    const current = decryptTokens(vault, loaded.row!);
    if (!current.refreshToken) {
      await store.tokens.releaseRefreshLease(connection.id, this.owner);
      throw new ReauthRequiredError("expired");
    }
    // A missing app credential is the operator's to fix (credentials set), not the merchant's:
    // the connection is not marked, so it works again as soon as the credential is back.
    const credential = await this.deps.credentials.get(oauth.client.credentialKey);
    if (!credential) {
      await store.tokens.releaseRefreshLease(connection.id, this.owner);
      throw new BackfillError(
        MISSING_CLIENT_CREDENTIAL,
        `cannot refresh connection ${connection.id}: no OAuth app credential ${oauth.client.credentialKey} is set`,
        { credentialKey: oauth.client.credentialKey },
        { fix: credentialFix(oauth.client.credentialKey) },
      );
    }
    let tokens: TokenSet;
    try {
      tokens = await this.withRetries(connection.id, async () => {
        const body = await requestToken({
          http: this.deps.http,
          oauth,
          settings: connection.settings,
          credential,
          params: { grant_type: "refresh_token", refresh_token: current.refreshToken! },
          timeoutMs: this.tokenRequestTimeoutMs,
        });
        return parseTokenResponse(oauth, body, store.now());
      });
    } catch (error) {
      // invalid_client: the app's secret is wrong or was rotated. The operator's to fix, not
      // the merchant's: the credential is marked and the connection stays active, so the next
      // sync after `credentials set` works without a reconnect.
      if (isBackfillError(error, [TOKEN_REQUEST_REJECTED]) && error.details?.oauthError === "invalid_client") {
        await store.transaction(async (tx) => {
          await tx.credentials.markRejected(oauth.client.credentialKey, "invalid_client");
          await tx.tokens.releaseRefreshLease(connection.id, this.owner);
          await tx.auditLog.append("credentials.rejected", { connectionId: connection.id, detail: { credentialKey: oauth.client.credentialKey, status: error.details?.status } });
        });
        logger.error("the provider refused the OAuth app credential (invalid_client); connections stay active until it is set again", {
          connectionId: connection.id,
          credentialKey: oauth.client.credentialKey,
        });
        throw new BackfillError(
          CLIENT_CREDENTIAL_REJECTED,
          `cannot refresh connection ${connection.id}: the provider refused the OAuth app credential ${oauth.client.credentialKey} (invalid_client: its client secret is wrong or was rotated)`,
          { credentialKey: oauth.client.credentialKey, oauthError: "invalid_client" },
          { fix: credentialFix(oauth.client.credentialKey) },
        );
      }
      // Only the provider refusing the grant (400/401: invalid_grant) needs the merchant; an
      // unreadable answer or an outage does not, so those leave the connection as is.
      if (isBackfillError(error, [TOKEN_REQUEST_REJECTED])) {
        const marked = await store.transaction(async (tx) => {
          // A process that took the lease over may have spent (rotated) this refresh token itself.
          if ((await leaseOwner(tx, connection.id)) !== this.owner) return false;
          await tx.connections.setStatus(connection.id, "reauth_required", "refresh_failed");
          await emitAuthEvent(tx, "connection.reauth_required", connection.id);
          await tx.tokens.releaseRefreshLease(connection.id, this.owner);
          await tx.auditLog.append("tokens.refresh_failed", { connectionId: connection.id, detail: { status: error.details?.status, oauthError: error.details?.oauthError } });
          return true;
        });
        if (!marked) {
          logger.warn("token refresh rejected after another process took the lease over; using what it stored", { connectionId: connection.id, status: error.details?.status });
          return this.tokenWrittenByLeaseTaker(connection.id);
        }
        logger.warn("token refresh rejected; connection needs reauthorization", {
          connectionId: connection.id,
          status: error.details?.status,
          oauthError: error.details?.oauthError,
        });
        throw new ReauthRequiredError("refresh_failed", { message: `OAuth connection needs to be authorized again (refresh_failed: ${error.message})` });
      }
      await store.tokens.releaseRefreshLease(connection.id, this.owner);
      const transient = isBackfillError(error, [TOKEN_ENDPOINT_UNAVAILABLE]);
      logger.warn("token refresh failed; connection left as is", { connectionId: connection.id, error: (error as Error).message });
      throw new BackfillError(
        "http_error",
        transient ? `token refresh failed after ${this.retryPolicy.attempts} attempts: ${(error as Error).message}` : `token refresh failed: ${(error as Error).message}`,
        { retriable: true },
      );
    }
    // One write: new access token, the rotated refresh token (or the old one kept where the
    // provider reuses it; a rotating provider spent it, so none is kept), lease cleared.
    const rotates = oauth.refresh.rotatesRefreshToken;
    if (rotates && !tokens.refreshToken)
      logger.warn("rotating provider answered a refresh without a new refresh token; the connection will need reauthorization when this access token lapses", {
        connectionId: connection.id,
      });
    const written = await store.transaction(async (tx) => {
      if ((await leaseOwner(tx, connection.id)) !== this.owner) return false;
      await writeTokens(tx, vault, connection.id, tokens, {
        scopes: tokens.scopes ?? current.scopes,
        keepRefreshToken: rotates ? null : current.refreshToken,
        keepRefreshExpiresAt: rotates ? null : current.refreshExpiresAt,
      });
      await tx.auditLog.append("tokens.refreshed", {
        connectionId: connection.id,
        detail: { rotated: !!tokens.refreshToken && tokens.refreshToken !== current.refreshToken, expiresAt: tokens.expiresAt },
      });
      return true;
    });
    if (!written) {
      // Our lease lapsed and another process took over: what it wrote stands.
      logger.warn("token refresh outlived its lease; another process took over, keeping what it stored", { connectionId: connection.id });
      return this.tokenWrittenByLeaseTaker(connection.id);
    }
    logger.info("token refreshed", { connectionId: connection.id });
    // The replaced token (and a spent, rotated refresh token) ended their life: the redactor
    // holds live secrets only, so a long-running host does not grow with every rotation.
    unregisterSecret(
      current.accessToken !== tokens.accessToken ? current.accessToken : null,
      rotates && tokens.refreshToken !== current.refreshToken ? current.refreshToken : null,
    );
    return tokens.accessToken;
  }

  private async withRetries<T>(connectionId: string, attempt: () => Promise<T>): Promise<T> {
    return retry(attempt, this.retryPolicy, {
      beforeWait: async ({ attempt: n, delayMs }) => {
        this.deps.logger.debug("token endpoint transient failure; retrying", { connectionId, attempt: n, delayMs: Math.round(delayMs) });
        // Keep the lease alive while we back off (the heartbeat does too; this covers a long delay).
        await this.renewLease(connectionId);
      },
    });
  }

  /** Refreshes every active connection whose refresh token lapses within `withinMs`. */
  async refreshDue(opts: { withinMs: number }): Promise<RefreshOutcome[]> {
    const { store } = this.deps;
    const rows = await store.tokens.listRefreshTokensExpiringBefore(store.now() + opts.withinMs);
    const outcomes: RefreshOutcome[] = [];
    for (const row of rows) {
      const connection = await store.connections.get(row.connection_id);
      if (!connection || connection.status !== "active") continue;
      try {
        await this.forceRefresh(row.connection_id);
        const after = await store.tokens.get(row.connection_id);
        outcomes.push({ connectionId: row.connection_id, ok: true, expiresAt: after?.expires_at ?? null });
      } catch (error) {
        outcomes.push({ connectionId: row.connection_id, ok: false, error: (error as Error).message, code: codeOf(error) });
      }
    }
    return outcomes;
  }

  /** Marks the connection revoked (Connection.markRevoked, app/uninstalled). */
  async markRevoked(connectionId: string, reason: string): Promise<void> {
    await this.deps.store.transaction(async (tx) => {
      await tx.connections.setStatus(connectionId, "revoked", reason.slice(0, 200));
      await tx.auditLog.append("connection.revoked", { connectionId, detail: { reason: reason.slice(0, 200) } });
      await emitAuthEvent(tx, "connection.revoked", connectionId);
    });
  }
}
