// Connect sessions: what an operator allowed one end user to connect (single use, by the
// token's hash). JSON columns come back decoded.
import type { Selectable } from "kysely";
import type { ConnectSessionsTable } from "../schema.js";
import type { RepositoryContext } from "./context.js";
import { decodeJsonColumn, END_USER_SCHEMA, SETTINGS_SCHEMA, STRING_LIST_SCHEMA, TAGS_SCHEMA, type EndUser } from "./json-columns.js";

/** A connect session with its JSON columns decoded. */
export type ConnectSessionRow = Omit<Selectable<ConnectSessionsTable>, "connector_keys_json" | "end_user_json" | "tags_json" | "settings_json"> & {
  connector_keys: string[];
  end_user: EndUser | null;
  tags: Record<string, string>;
  settings: Record<string, unknown>;
};

export type NewConnectSession = Omit<ConnectSessionRow, "used_at" | "created_at">;

function decodeConnectSession(row: Selectable<ConnectSessionsTable>): ConnectSessionRow {
  const { connector_keys_json, end_user_json, tags_json, settings_json, ...columns } = row;
  return {
    ...columns,
    connector_keys: decodeJsonColumn("connect_sessions.connector_keys_json", row.id, connector_keys_json, STRING_LIST_SCHEMA),
    end_user: decodeJsonColumn("connect_sessions.end_user_json", row.id, end_user_json, END_USER_SCHEMA.nullable()),
    tags: decodeJsonColumn("connect_sessions.tags_json", row.id, tags_json, TAGS_SCHEMA),
    settings: decodeJsonColumn("connect_sessions.settings_json", row.id, settings_json, SETTINGS_SCHEMA),
  };
}

/** The preset x-secret settings of a connect session, from the plaintext the vault opened. */
export function decodeSessionSecretSettings(session: Pick<ConnectSessionRow, "id">, plaintext: string): Record<string, unknown> {
  return decodeJsonColumn("connect_sessions.secret_settings_enc", session.id, plaintext, SETTINGS_SCHEMA);
}

export class ConnectSessionsRepository {
  constructor(private readonly ctx: RepositoryContext) {}

  async insert(session: NewConnectSession): Promise<void> {
    const { connector_keys, end_user, tags, settings, ...columns } = session;
    await this.ctx.db
      .insertInto("connect_sessions")
      .values({
        ...columns,
        connector_keys_json: JSON.stringify(connector_keys),
        end_user_json: JSON.stringify(end_user),
        tags_json: JSON.stringify(tags),
        settings_json: JSON.stringify(settings),
        used_at: null,
        created_at: this.ctx.now(),
      })
      .execute();
  }

  async findByTokenHash(tokenHash: string): Promise<ConnectSessionRow | undefined> {
    const row = await this.ctx.db.selectFrom("connect_sessions").selectAll().where("token_hash", "=", tokenHash).executeTakeFirst();
    return row && decodeConnectSession(row);
  }

  async get(id: string): Promise<ConnectSessionRow | undefined> {
    const row = await this.ctx.db.selectFrom("connect_sessions").selectAll().where("id", "=", id).executeTakeFirst();
    return row && decodeConnectSession(row);
  }

  /** Marks a session used if it is unused and unexpired; false otherwise (single use, atomic). */
  async consume(id: string): Promise<boolean> {
    const now = this.ctx.now();
    const row = await this.ctx.db
      .updateTable("connect_sessions")
      .set({ used_at: now })
      .where("id", "=", id)
      .where("used_at", "is", null)
      .where("expires_at", ">", now)
      .returning("id")
      .executeTakeFirst();
    return row !== undefined;
  }

  /** Deletes sessions expired more than `graceMs` ago. */
  async prune(graceMs = 24 * 3600_000): Promise<number> {
    const r = await this.ctx.db
      .deleteFrom("connect_sessions")
      .where("expires_at", "<", this.ctx.now() - graceMs)
      .executeTakeFirst();
    return Number(r.numDeletedRows);
  }
}
