// Host API keys: shown once at creation, stored only as a SHA-256 hash (the keys are
// 256-bit random, so a fast hash is enough; there is nothing to brute-force).
import { createHash, randomBytes, randomUUID } from "node:crypto";
import { registerSecret } from "@backfill-io/sdk";
import type { Store } from "../db/store.js";

const PREFIX = "bfk_";

export function hashApiKey(key: string): string {
  return createHash("sha256").update(key).digest("hex");
}

export async function createApiKey(store: Store, name: string): Promise<{ id: string; key: string; prefix: string }> {
  const key = `${PREFIX}${randomBytes(32).toString("base64url")}`;
  const id = `key_${randomUUID().replaceAll("-", "").slice(0, 16)}`;
  const prefix = key.slice(0, PREFIX.length + 6);
  registerSecret(key);
  await store.insertApiKey({ id, name, key_hash: hashApiKey(key), prefix });
  return { id, key, prefix };
}

/** The key's id when `authorization` is `Bearer <a live host API key>`, else null. */
export async function verifyApiKey(store: Store, authorization: string | undefined): Promise<string | null> {
  const match = /^Bearer\s+(\S+)$/i.exec(authorization ?? "");
  if (!match?.[1]?.startsWith(PREFIX)) return null;
  const row = await store.findApiKeyByHash(hashApiKey(match[1]));
  if (!row) return null;
  await store.touchApiKey(row.id);
  return row.id;
}
