// The operator's OAuth app credentials (client id and sealed client secret), by credential key.
import type { Selectable } from "kysely";
import type { OAuthAppCredentialsTable } from "../schema.js";
import type { RepositoryContext } from "./context.js";

export type OAuthAppCredentialRow = Selectable<OAuthAppCredentialsTable>;
/** A credential as listed: without its secret column. */
export type OAuthAppCredentialSummary = Omit<OAuthAppCredentialRow, "client_secret_enc">;

export class AppCredentialsRepository {
  constructor(private readonly ctx: RepositoryContext) {}

  async upsert(credentialKey: string, clientId: string, clientSecretEnc: string): Promise<void> {
    const now = this.ctx.now();
    await this.ctx.db
      .insertInto("oauth_app_credentials")
      .values({
        credential_key: credentialKey,
        client_id: clientId,
        client_secret_enc: clientSecretEnc,
        created_at: now,
        updated_at: now,
        rejected_at: null,
        rejected_reason: null,
      })
      .onConflict((oc) =>
        oc.column("credential_key").doUpdateSet({ client_id: clientId, client_secret_enc: clientSecretEnc, updated_at: now, rejected_at: null, rejected_reason: null }),
      )
      .execute();
  }

  async get(credentialKey: string): Promise<OAuthAppCredentialRow | undefined> {
    return this.ctx.db.selectFrom("oauth_app_credentials").selectAll().where("credential_key", "=", credentialKey).executeTakeFirst();
  }

  async list(): Promise<OAuthAppCredentialSummary[]> {
    return this.ctx.db
      .selectFrom("oauth_app_credentials")
      .select(["credential_key", "client_id", "created_at", "updated_at", "rejected_at", "rejected_reason"])
      .orderBy("credential_key")
      .execute();
  }

  /** Marks the credential refused by the provider (invalid_client). */
  async markRejected(credentialKey: string, reason: string): Promise<void> {
    await this.ctx.db
      .updateTable("oauth_app_credentials")
      .set({ rejected_at: this.ctx.now(), rejected_reason: reason.slice(0, 200) })
      .where("credential_key", "=", credentialKey)
      .execute();
  }

  async delete(credentialKey: string): Promise<boolean> {
    const r = await this.ctx.db.deleteFrom("oauth_app_credentials").where("credential_key", "=", credentialKey).executeTakeFirst();
    return Number(r.numDeletedRows) > 0;
  }
}
