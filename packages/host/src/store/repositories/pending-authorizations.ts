// OAuth authorizations started and not yet called back: single-use, bound to the state's
// hash, the connector and (optionally) the browser. Settings come back decoded.
import type { Selectable } from "kysely";
import type { PendingAuthorizationsTable } from "../schema.js";
import type { RepositoryContext } from "./context.js";
import { decodeJsonColumn, SETTINGS_SCHEMA, TAGS_SCHEMA } from "./json-columns.js";

/** A pending authorization with its non-secret settings decoded. */
export type PendingAuthorizationRow = Omit<Selectable<PendingAuthorizationsTable>, "settings_json"> & { settings: Record<string, unknown> };

export type NewPendingAuthorization = Omit<PendingAuthorizationRow, "used_at" | "created_at">;

function decodePendingAuthorization(row: Selectable<PendingAuthorizationsTable>): PendingAuthorizationRow {
  const { settings_json, ...columns } = row;
  return { ...columns, settings: decodeJsonColumn("pending_authorizations.settings_json", row.id, settings_json, SETTINGS_SCHEMA) };
}

/** The x-secret settings of a pending authorization, from the plaintext the vault opened (strings only, as splitSettings wrote them). */
export function decodePendingSecretSettings(pending: Pick<PendingAuthorizationRow, "id">, plaintext: string): Record<string, string> {
  return decodeJsonColumn("pending_authorizations.secret_settings_enc", pending.id, plaintext, TAGS_SCHEMA);
}

export class PendingAuthorizationsRepository {
  constructor(private readonly ctx: RepositoryContext) {}

  async insert(row: NewPendingAuthorization): Promise<void> {
    const { settings, ...columns } = row;
    await this.ctx.db
      .insertInto("pending_authorizations")
      .values({ ...columns, settings_json: JSON.stringify(settings), used_at: null, created_at: this.ctx.now() })
      .execute();
  }

  async findByStateHash(stateHash: string): Promise<PendingAuthorizationRow | undefined> {
    const row = await this.ctx.db.selectFrom("pending_authorizations").selectAll().where("state_hash", "=", stateHash).executeTakeFirst();
    return row && decodePendingAuthorization(row);
  }

  /** Marks a pending authorization used; false when it already was (a replay). */
  async consume(id: string): Promise<boolean> {
    const row = await this.ctx.db
      .updateTable("pending_authorizations")
      .set({ used_at: this.ctx.now() })
      .where("id", "=", id)
      .where("used_at", "is", null)
      .returning("id")
      .executeTakeFirst();
    return row !== undefined;
  }

  /** Deletes authorizations expired more than `graceMs` ago (their hashes are no longer useful). */
  async prune(graceMs = 3600_000): Promise<number> {
    const r = await this.ctx.db
      .deleteFrom("pending_authorizations")
      .where("expires_at", "<", this.ctx.now() - graceMs)
      .executeTakeFirst();
    return Number(r.numDeletedRows);
  }
}
