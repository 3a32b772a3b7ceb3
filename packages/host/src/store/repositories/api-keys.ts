// Host API keys, stored by their sha256 only (the key is shown once at creation).
import type { HostApiKeyRow } from "../schema.js";
import type { RepositoryContext } from "./context.js";

/** A key as listed: without its hash. */
export type HostApiKeySummary = Omit<HostApiKeyRow, "key_hash">;

const SUMMARY_COLUMNS = ["id", "name", "prefix", "created_at", "last_used_at", "revoked_at"] as const;

export class ApiKeysRepository {
  constructor(private readonly ctx: RepositoryContext) {}

  async insert(row: Pick<HostApiKeyRow, "id" | "name" | "key_hash" | "prefix">): Promise<void> {
    await this.ctx.db
      .insertInto("host_api_keys")
      .values({ ...row, created_at: this.ctx.now(), last_used_at: null, revoked_at: null })
      .execute();
  }

  /** The unrevoked key with this hash. */
  async findActiveByHash(keyHash: string): Promise<HostApiKeyRow | undefined> {
    return this.ctx.db.selectFrom("host_api_keys").selectAll().where("key_hash", "=", keyHash).where("revoked_at", "is", null).executeTakeFirst();
  }

  async touch(id: string): Promise<void> {
    await this.ctx.db.updateTable("host_api_keys").set({ last_used_at: this.ctx.now() }).where("id", "=", id).execute();
  }

  async list(): Promise<HostApiKeySummary[]> {
    return this.ctx.db.selectFrom("host_api_keys").select(SUMMARY_COLUMNS).orderBy("created_at").execute();
  }

  async get(id: string): Promise<HostApiKeySummary | undefined> {
    return this.ctx.db.selectFrom("host_api_keys").select(SUMMARY_COLUMNS).where("id", "=", id).executeTakeFirst();
  }

  async revoke(id: string): Promise<boolean> {
    const r = await this.ctx.db.updateTable("host_api_keys").set({ revoked_at: this.ctx.now() }).where("id", "=", id).where("revoked_at", "is", null).executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }
}
