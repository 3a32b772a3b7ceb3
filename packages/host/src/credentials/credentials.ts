// OAuth app credentials ("the company OAuth app"), one per manifest `client.credentialKey`:
// the client id in plain text, the client secret encrypted. Listing never returns secrets.
import { BackfillError, registerSecret } from "@backfill-io/sdk";
import type { Store } from "../store/store.js";
import type { Vault } from "../vault/vault.js";
import { columnAad } from "../store/encrypted-columns.js";
import { INVALID_CLIENT_ID, INVALID_CLIENT_SECRET, INVALID_CREDENTIAL_KEY } from "../error-codes.js";

export type OAuthAppCredential = { credentialKey: string; clientId: string; clientSecret: string };
export type OAuthAppCredentialSummary = {
  credentialKey: string;
  clientId: string;
  createdAt: number;
  updatedAt: number;
  /** Set when the provider refused the credential (e.g. invalid_client at a refresh) since it was last set. */
  rejected?: { at: number; reason: string };
};

const CREDENTIAL_KEY = /^[a-z][a-z0-9_-]*$/i;

function aad(credentialKey: string) {
  return columnAad("oauth_app_credentials.client_secret_enc", { credential_key: credentialKey });
}

export class Credentials {
  constructor(
    private readonly store: Store,
    private readonly vault: Vault,
  ) {}

  async set(credentialKey: string, input: { clientId: string; clientSecret: string }): Promise<OAuthAppCredentialSummary> {
    registerSecret(input.clientSecret);
    if (!CREDENTIAL_KEY.test(credentialKey))
      throw new BackfillError(INVALID_CREDENTIAL_KEY, `credential key ${JSON.stringify(credentialKey)} must be an identifier like acme_public_app`);
    const clientId = input.clientId.trim();
    if (!clientId) throw new BackfillError(INVALID_CLIENT_ID, "the client id is empty");
    const clientSecret = input.clientSecret.trim();
    if (!clientSecret) throw new BackfillError(INVALID_CLIENT_SECRET, "the client secret is empty");
    registerSecret(clientSecret);
    await this.store.credentials.upsert(credentialKey, clientId, this.vault.encrypt(clientSecret, aad(credentialKey)));
    await this.store.auditLog.append("credentials.set", { actor: "cli", detail: { credentialKey, clientId } });
    const row = await this.store.credentials.get(credentialKey);
    return { credentialKey, clientId, createdAt: row!.created_at, updatedAt: row!.updated_at };
  }

  /** The credential with its decrypted secret (registered with the redactor), or undefined. */
  async get(credentialKey: string): Promise<OAuthAppCredential | undefined> {
    const row = await this.store.credentials.get(credentialKey);
    if (!row) return undefined;
    const clientSecret = this.vault.decrypt(row.client_secret_enc, aad(credentialKey));
    registerSecret(clientSecret);
    return { credentialKey, clientId: row.client_id, clientSecret };
  }

  async list(): Promise<OAuthAppCredentialSummary[]> {
    const rows = await this.store.credentials.list();
    return rows.map((r) => ({
      credentialKey: r.credential_key,
      clientId: r.client_id,
      createdAt: r.created_at,
      updatedAt: r.updated_at,
      ...(r.rejected_at !== null ? { rejected: { at: r.rejected_at, reason: r.rejected_reason ?? "refused" } } : {}),
    }));
  }

  async delete(credentialKey: string): Promise<boolean> {
    const deleted = await this.store.credentials.delete(credentialKey);
    if (deleted) await this.store.auditLog.append("credentials.delete", { actor: "cli", detail: { credentialKey } });
    return deleted;
  }
}

/** What fixes a missing or refused app credential; the CLI shows its own command for the code instead. */
export function credentialFix(credentialKey: string): string {
  return `set the OAuth app credential ${credentialKey} (its client id and client secret)`;
}
