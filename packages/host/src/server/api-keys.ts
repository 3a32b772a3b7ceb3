// Host API keys: shown once at creation, stored only as a SHA-256 hash (the keys are
// 256-bit random, so a fast hash is enough; there is nothing to brute-force).
import { createHash, randomBytes, randomUUID } from "node:crypto";
import { BackfillError, registerSecret } from "@backfill-io/sdk";
import type { Store } from "../store/store.js";
import type { HostApiKeyRow } from "../store/schema.js";

const PREFIX = "bfk_";
const MAX_NAME_LENGTH = 100;

export const API_KEY_NOT_FOUND = "api_key_not_found";
export const API_KEY_ALREADY_REVOKED = "api_key_already_revoked";
export const API_KEY_SELF_REVOKE = "api_key_self_revoke";
export const INVALID_API_KEY_NAME = "invalid_api_key_name";

/** The codes of the host API key errors (each a BackfillError; the API answers them with their own status). */
export const API_KEY_ERROR_CODES = [API_KEY_NOT_FOUND, API_KEY_ALREADY_REVOKED, API_KEY_SELF_REVOKE, INVALID_API_KEY_NAME] as const;
export type ApiKeyErrorCode = (typeof API_KEY_ERROR_CODES)[number];

/** A host API key as it may be shown: never the key, never its hash. */
export type ApiKeySummary = Omit<HostApiKeyRow, "key_hash">;

export function hashApiKey(key: string): string {
  return createHash("sha256").update(key).digest("hex");
}

/** The trimmed name, or an invalid_api_key_name BackfillError when it is not 1 to 100 characters of text. */
export function validApiKeyName(name: unknown): string {
  const trimmed = typeof name === "string" ? name.trim() : "";
  if (!trimmed || trimmed.length > MAX_NAME_LENGTH) {
    throw new BackfillError(INVALID_API_KEY_NAME, `an API key name must be 1 to ${MAX_NAME_LENGTH} characters`, undefined, {
      fix: 'name it for what uses it, e.g. "billing-sync"',
    });
  }
  return trimmed;
}

/**
 * Creates a key. `register` (default true) adds it to the process redactor so it never
 * reaches a log line; the server's create route turns it off, because its one answer
 * must carry the key past the response redactor.
 */
export async function createApiKey(store: Store, name: string, opts: { register?: boolean } = {}): Promise<{ id: string; key: string; prefix: string }> {
  const key = `${PREFIX}${randomBytes(32).toString("base64url")}`;
  const id = `key_${randomUUID().replaceAll("-", "").slice(0, 16)}`;
  const prefix = key.slice(0, PREFIX.length + 6);
  if (opts.register ?? true) registerSecret(key);
  await store.apiKeys.insert({ id, name: validApiKeyName(name), key_hash: hashApiKey(key), prefix });
  return { id, key, prefix };
}

/**
 * Revokes a key: from then on every request with it is refused (each request looks the
 * hash up, so a running server needs no restart). `byKeyId` is the key making the request,
 * when there is one: a key cannot revoke itself, so an API client never locks itself out.
 */
export async function revokeApiKey(store: Store, id: string, opts: { byKeyId?: string } = {}): Promise<ApiKeySummary> {
  if (opts.byKeyId === id) {
    throw new BackfillError(API_KEY_SELF_REVOKE, `API key ${id} cannot revoke itself`, { apiKeyId: id }, { fix: "revoke it with another host API key, or on the host itself" });
  }
  const row = await store.apiKeys.get(id);
  if (!row) throw new BackfillError(API_KEY_NOT_FOUND, `no host API key ${id}`, { apiKeyId: id }, { fix: "list the host API keys to find its id" });
  if (row.revoked_at !== null || !(await store.apiKeys.revoke(id))) {
    throw new BackfillError(API_KEY_ALREADY_REVOKED, `host API key ${id} is already revoked`, { apiKeyId: id }, { fix: "nothing to do; create a new key if one is needed" });
  }
  return (await store.apiKeys.get(id))!;
}

/** The key's id when `authorization` is `Bearer <a live host API key>`, else null. */
export async function verifyApiKey(store: Store, authorization: string | undefined): Promise<string | null> {
  const match = /^Bearer\s+(\S+)$/i.exec(authorization ?? "");
  if (!match?.[1]?.startsWith(PREFIX)) return null;
  const row = await store.apiKeys.findActiveByHash(hashApiKey(match[1]));
  if (!row) return null;
  await store.apiKeys.touch(row.id);
  return row.id;
}
