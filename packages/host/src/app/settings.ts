// A connection's settings as a route sees them: non-secret ones from the row, x-secret
// ones decrypted from connection_secrets (and registered with the redactor).
import { registerSecret } from "@backfill-io/sdk";
import type { Store } from "../store/store.js";
import type { Vault } from "../vault/vault.js";
import { columnAad } from "../store/encrypted-columns.js";

export async function connectionSettings(store: Store, connectionId: string): Promise<Record<string, unknown>> {
  const row = await store.connections.get(connectionId);
  return row?.settings ?? {};
}

export async function connectionSecret(store: Store, vault: Vault, connectionId: string, name: string): Promise<string | undefined> {
  const enc = await store.connectionSecrets.get(connectionId, name);
  if (!enc) return undefined;
  const value = vault.decrypt(enc, columnAad("connection_secrets.value_enc", { connection_id: connectionId, name }));
  registerSecret(value);
  return value;
}
