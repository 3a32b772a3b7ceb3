// The demo connector's signed webhook route (test/fixtures/demo/src/api/webhooks/signed.ts)
// from the provider's side: a connection holding its webhook secret, signatures, deliveries.
import { createHmac } from "node:crypto";
import type { Host } from "../../src/index.js";
import { createDemoConnection } from "../sync/support.js";

/** A demo connection whose webhook_secret is `secret` (sealed, as the connect flow stores it). */
export async function connectionWithWebhookSecret(host: Host, base: string, secret: string): Promise<string> {
  const id = await createDemoConnection(host, base);
  await putWebhookSecret(host, id, secret);
  return id;
}

export async function putWebhookSecret(host: Host, connectionId: string, secret: string): Promise<void> {
  const enc = host.vault.encrypt(secret, { table: "connection_secrets", rowId: `${connectionId}/webhook_secret`, field: "value_enc" });
  await host.store.connectionSecrets.put(connectionId, "webhook_secret", enc);
}

/** The route's signature: base64 HMAC-SHA256 of the exact bytes. */
export const signDemoWebhook = (bytes: Uint8Array, secret: string) => createHmac("sha256", secret).update(bytes).digest("base64");

/** POSTs one delivery to the signed route; answers the status and the body text. */
export async function postDemoWebhook(
  serverUrl: string,
  connectionId: string,
  deliveryId: string,
  bytes: Uint8Array,
  signature: string,
): Promise<{ status: number; text: string }> {
  const res = await fetch(`${serverUrl}/connections/${connectionId}/routes/webhooks/signed`, {
    method: "POST",
    body: bytes,
    headers: { "content-type": "application/json", "x-demo-signature": signature, "x-demo-delivery-id": deliveryId },
  });
  return { status: res.status, text: await res.text() };
}
