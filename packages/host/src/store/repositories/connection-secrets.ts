// A connection's x-secret settings, one sealed value per setting name.
import type { RepositoryContext } from "./context.js";

export class ConnectionSecretsRepository {
  constructor(private readonly ctx: RepositoryContext) {}

  async put(connectionId: string, name: string, valueEnc: string): Promise<void> {
    const now = this.ctx.now();
    await this.ctx.db
      .insertInto("connection_secrets")
      .values({ connection_id: connectionId, name, value_enc: valueEnc, updated_at: now })
      .onConflict((oc) => oc.columns(["connection_id", "name"]).doUpdateSet({ value_enc: valueEnc, updated_at: now }))
      .execute();
  }

  /** The sealed value, or undefined when the connection has no such secret. */
  async get(connectionId: string, name: string): Promise<string | undefined> {
    const row = await this.ctx.db.selectFrom("connection_secrets").select("value_enc").where("connection_id", "=", connectionId).where("name", "=", name).executeTakeFirst();
    return row?.value_enc;
  }

  async listNames(connectionId: string): Promise<string[]> {
    const rows = await this.ctx.db.selectFrom("connection_secrets").select("name").where("connection_id", "=", connectionId).orderBy("name").execute();
    return rows.map((r) => r.name);
  }
}
