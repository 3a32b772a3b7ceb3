// /api/keys: list, create and revoke host API keys, behind a host API key of their own.
// Mounted by app.ts; the key itself leaves the host exactly once, in the answer to POST.
import { Hono, type Context } from "hono";
import { isBackfillError, type BackfillError } from "@backfill-io/sdk";
import { errorJson } from "../http-errors.js";
import { revealOnce } from "../reveal.js";
import type { Host } from "../../app/open-host.js";
import {
  API_KEY_ALREADY_REVOKED,
  API_KEY_ERROR_CODES,
  API_KEY_NOT_FOUND,
  API_KEY_SELF_REVOKE,
  INVALID_API_KEY_NAME,
  createApiKey,
  revokeApiKey,
  validApiKeyName,
  type ApiKeyErrorCode,
  type ApiKeySummary,
} from "../api-keys.js";

type KeysEnv = { Variables: { apiKeyId: string } };

function apiKeyJson(row: ApiKeySummary) {
  return { id: row.id, name: row.name, prefix: row.prefix, createdAt: row.created_at, lastUsedAt: row.last_used_at, revokedAt: row.revoked_at };
}

const STATUS_OF: Record<ApiKeyErrorCode, 400 | 404 | 409> = {
  [INVALID_API_KEY_NAME]: 400,
  [API_KEY_NOT_FOUND]: 404,
  [API_KEY_ALREADY_REVOKED]: 409,
  [API_KEY_SELF_REVOKE]: 409,
};

function apiKeyErrorJson(c: Context, error: BackfillError<ApiKeyErrorCode>) {
  return errorJson(c, STATUS_OF[error.code], error.code, error.message, error.fix);
}

async function requestedName(c: Context): Promise<string> {
  let body: unknown;
  try {
    body = await c.req.json();
  } catch {
    body = undefined;
  }
  return validApiKeyName((body as { name?: unknown } | undefined)?.name);
}

export function hostApiKeysApp(host: Host): Hono<KeysEnv> {
  // Mounted under the JSON API, whose middleware authenticates (a host API key, or the
  // dashboard's session with its CSRF token) and sets apiKeyId.
  const app = new Hono<KeysEnv>();
  app.onError((error, c) => {
    if (isBackfillError(error, API_KEY_ERROR_CODES)) return apiKeyErrorJson(c, error);
    throw error;
  });

  app.get("/", async (c) => c.json({ keys: (await host.store.apiKeys.list()).map(apiKeyJson) }));

  app.post("/", async (c) => {
    const name = await requestedName(c);
    // Registered with the redactor like every key; this answer is the one place it is shown (revealOnce).
    const created = await createApiKey(host.store, name);
    const row = (await host.store.apiKeys.get(created.id))!;
    host.logger.info("host API key created", { id: created.id, name, prefix: created.prefix });
    // `key`, not `secret`: the response redactor blanks values of secret-named fields.
    return revealOnce(c.json({ ...apiKeyJson(row), key: created.key }, 201));
  });

  app.delete("/:id", async (c) => {
    const row = await revokeApiKey(host.store, c.req.param("id"), { byKeyId: c.get("apiKeyId") });
    host.logger.info("host API key revoked", { id: row.id });
    return c.json({ key: apiKeyJson(row) });
  });
  return app;
}
