// A connection's OAuth tokens (sealed) and the cross-process refresh lease on them.
import type { Selectable } from "kysely";
import type { OAuthTokensTable } from "../schema.js";
import type { RepositoryContext } from "./context.js";
import { decodeJsonColumn, STRING_LIST_SCHEMA } from "./json-columns.js";

/** A token row with its granted scopes decoded. */
export type OAuthTokenRow = Omit<Selectable<OAuthTokensTable>, "scopes_json"> & { scopes: string[] };

/** What a token write sets (the lease is cleared, the update time is the store's). */
export type NewOAuthTokens = Omit<OAuthTokenRow, "refresh_lease_owner" | "refresh_lease_until" | "updated_at">;

function decodeTokens(row: Selectable<OAuthTokensTable>): OAuthTokenRow {
  const { scopes_json, ...columns } = row;
  return { ...columns, scopes: decodeJsonColumn("oauth_tokens.scopes_json", row.connection_id, scopes_json, STRING_LIST_SCHEMA) };
}

export class TokensRepository {
  constructor(private readonly ctx: RepositoryContext) {}

  async get(connectionId: string): Promise<OAuthTokenRow | undefined> {
    const row = await this.ctx.db.selectFrom("oauth_tokens").selectAll().where("connection_id", "=", connectionId).executeTakeFirst();
    return row && decodeTokens(row);
  }

  /** Replaces the connection's tokens (the lease is cleared). */
  async put(tokens: NewOAuthTokens): Promise<void> {
    const { scopes, ...columns } = tokens;
    const full: OAuthTokensTable = { ...columns, scopes_json: JSON.stringify(scopes), updated_at: this.ctx.now(), refresh_lease_owner: null, refresh_lease_until: null };
    const { connection_id: _id, ...update } = full;
    await this.ctx.db
      .insertInto("oauth_tokens")
      .values(full)
      .onConflict((oc) => oc.column("connection_id").doUpdateSet(update))
      .execute();
  }

  async delete(connectionId: string): Promise<boolean> {
    const r = await this.ctx.db.deleteFrom("oauth_tokens").where("connection_id", "=", connectionId).executeTakeFirst();
    return Number(r.numDeletedRows) > 0;
  }

  /**
   * Takes the cross-process refresh lease if it is free or expired. Returns true when
   * `owner` holds it afterwards.
   */
  async acquireRefreshLease(connectionId: string, owner: string, ttlMs: number): Promise<boolean> {
    const now = this.ctx.now();
    const r = await this.ctx.db
      .updateTable("oauth_tokens")
      .set({ refresh_lease_owner: owner, refresh_lease_until: now + ttlMs })
      .where("connection_id", "=", connectionId)
      .where((eb) => eb.or([eb("refresh_lease_until", "is", null), eb("refresh_lease_until", "<", now), eb("refresh_lease_owner", "=", owner)]))
      .executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }

  /** Extends the lease only while `owner` still holds it; false when it is no longer theirs. */
  async renewRefreshLease(connectionId: string, owner: string, ttlMs: number): Promise<boolean> {
    const row = await this.ctx.db
      .updateTable("oauth_tokens")
      .set({ refresh_lease_until: this.ctx.now() + ttlMs })
      .where("connection_id", "=", connectionId)
      .where("refresh_lease_owner", "=", owner)
      .returning("connection_id")
      .executeTakeFirst();
    return row !== undefined;
  }

  /** Who holds the refresh lease (null: nobody; undefined: no tokens). */
  async refreshLeaseOwner(connectionId: string): Promise<string | null | undefined> {
    const row = await this.ctx.db.selectFrom("oauth_tokens").select("refresh_lease_owner").where("connection_id", "=", connectionId).executeTakeFirst();
    return row?.refresh_lease_owner;
  }

  async releaseRefreshLease(connectionId: string, owner: string): Promise<void> {
    await this.ctx.db
      .updateTable("oauth_tokens")
      .set({ refresh_lease_owner: null, refresh_lease_until: null })
      .where("connection_id", "=", connectionId)
      .where("refresh_lease_owner", "=", owner)
      .execute();
  }

  /** Moves the access token's lifetime (the demo's forced refresh: expired, issued an hour before). */
  async setAccessTokenTimes(connectionId: string, times: { expiresAt: number | null; obtainedAt: number }): Promise<void> {
    await this.ctx.db.updateTable("oauth_tokens").set({ expires_at: times.expiresAt, obtained_at: times.obtainedAt }).where("connection_id", "=", connectionId).execute();
  }

  /** Tokens whose refresh token lapses before `before` (some providers' die after 90 quiet days). */
  async listRefreshTokensExpiringBefore(before: number): Promise<OAuthTokenRow[]> {
    const rows = await this.ctx.db.selectFrom("oauth_tokens").selectAll().where("refresh_token_enc", "is not", null).where("refresh_expires_at", "<=", before).execute();
    return rows.map(decodeTokens);
  }
}
