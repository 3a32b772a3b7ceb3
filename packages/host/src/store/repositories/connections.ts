// Connections: one provider account connected for an end user, its status and its
// non-secret settings. JSON columns come back decoded (json-columns.ts).
import { randomUUID } from "node:crypto";
import type { Selectable } from "kysely";
import type { ConnectionsTable, ConnectionStatus } from "../schema.js";
import type { RepositoryContext } from "./context.js";
import { decodeJsonColumn, decodeNullableJsonColumn, END_USER_SCHEMA, SETTINGS_SCHEMA, TAGS_SCHEMA, type EndUser } from "./json-columns.js";

/** A connection row with its JSON columns decoded. */
export type ConnectionRow = Omit<Selectable<ConnectionsTable>, "settings_json" | "end_user_json" | "tags_json"> & {
  settings: Record<string, unknown>;
  end_user: EndUser | null;
  tags: Record<string, string>;
};

export type NewConnection = {
  id?: string;
  connectorKey: string;
  connectorVersion: string;
  settings: Record<string, unknown>;
  status?: ConnectionStatus;
  endUser?: EndUser | null;
  tags?: Record<string, string>;
};

export type ConnectionPatch = Partial<{
  connectorVersion: string;
  settings: Record<string, unknown>;
  status: ConnectionStatus;
  statusReason: string | null;
  providerAccountId: string | null;
  providerAccountName: string | null;
  providerAccountDomain: string | null;
  connectedAt: number | null;
}>;

export function decodeConnection(row: Selectable<ConnectionsTable>): ConnectionRow {
  const { settings_json, end_user_json, tags_json, ...columns } = row;
  return {
    ...columns,
    settings: decodeJsonColumn("connections.settings_json", row.id, settings_json, SETTINGS_SCHEMA),
    end_user: decodeNullableJsonColumn("connections.end_user_json", row.id, end_user_json, END_USER_SCHEMA.nullable()),
    tags: decodeJsonColumn("connections.tags_json", row.id, tags_json, TAGS_SCHEMA),
  };
}

export class ConnectionsRepository {
  constructor(private readonly ctx: RepositoryContext) {}

  async create(input: NewConnection): Promise<ConnectionRow> {
    const now = this.ctx.now();
    const row: Selectable<ConnectionsTable> = {
      id: input.id ?? `conn_${randomUUID().replaceAll("-", "")}`,
      connector_key: input.connectorKey,
      connector_version: input.connectorVersion,
      settings_json: JSON.stringify(input.settings),
      status: input.status ?? "pending",
      status_reason: null,
      provider_account_id: null,
      provider_account_name: null,
      provider_account_domain: null,
      end_user_json: input.endUser ? JSON.stringify(input.endUser) : null,
      tags_json: JSON.stringify(input.tags ?? {}),
      created_at: now,
      updated_at: now,
      connected_at: null,
    };
    await this.ctx.db.insertInto("connections").values(row).execute();
    return decodeConnection(row);
  }

  async get(id: string): Promise<ConnectionRow | undefined> {
    const row = await this.ctx.db.selectFrom("connections").selectAll().where("id", "=", id).executeTakeFirst();
    return row && decodeConnection(row);
  }

  async list(filter: { connectorKey?: string; status?: ConnectionStatus } = {}): Promise<ConnectionRow[]> {
    let q = this.ctx.db.selectFrom("connections").selectAll();
    if (filter.connectorKey) q = q.where("connector_key", "=", filter.connectorKey);
    if (filter.status) q = q.where("status", "=", filter.status);
    return (await q.orderBy("created_at").execute()).map(decodeConnection);
  }

  async update(id: string, patch: ConnectionPatch): Promise<void> {
    const set: Partial<Selectable<ConnectionsTable>> = { updated_at: this.ctx.now() };
    if (patch.connectorVersion !== undefined) set.connector_version = patch.connectorVersion;
    if (patch.settings !== undefined) set.settings_json = JSON.stringify(patch.settings);
    if (patch.status !== undefined) set.status = patch.status;
    if (patch.statusReason !== undefined) set.status_reason = patch.statusReason;
    if (patch.providerAccountId !== undefined) set.provider_account_id = patch.providerAccountId;
    if (patch.providerAccountName !== undefined) set.provider_account_name = patch.providerAccountName;
    if (patch.providerAccountDomain !== undefined) set.provider_account_domain = patch.providerAccountDomain;
    if (patch.connectedAt !== undefined) set.connected_at = patch.connectedAt;
    await this.ctx.db.updateTable("connections").set(set).where("id", "=", id).execute();
  }

  async setStatus(id: string, status: ConnectionStatus, reason: string | null): Promise<void> {
    await this.update(id, { status, statusReason: reason });
  }

  async delete(id: string): Promise<boolean> {
    const r = await this.ctx.db.deleteFrom("connections").where("id", "=", id).executeTakeFirst();
    return Number(r.numDeletedRows) > 0;
  }
}
