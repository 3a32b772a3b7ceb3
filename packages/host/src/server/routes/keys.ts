// GET/POST /api/keys and DELETE /api/keys/:id (behind a host API key): list, create
// (the key is shown once, in this answer only) and revoke host API keys.
import { Hono } from "hono";
import type { Host } from "../../connections/host.js";
import { createApiKey } from "../api-keys.js";
import { errorJson } from "../http-errors.js";
import { revealOnce } from "../reveal.js";
import type { ApiVariables } from "./connect-sessions.js";

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

export function keyRoutes(host: Host): Hono<{ Variables: ApiVariables }> {
  const app = new Hono<{ Variables: ApiVariables }>();

  app.get("/", async (c) => {
    const keys = await host.store.listApiKeys();
    return c.json({ keys: keys.map((k) => ({ id: k.id, name: k.name, prefix: k.prefix, createdAt: iso(k.created_at), lastUsedAt: iso(k.last_used_at), revokedAt: iso(k.revoked_at) })) });
  });

  app.post("/", async (c) => {
    const body = (await c.req.json().catch(() => undefined)) as { name?: unknown } | undefined;
    const name = typeof body?.name === "string" ? body.name.trim() : "";
    if (!name || name.length > 100) return errorJson(c, 400, "invalid_key_name", 'send {"name":"<1-100 characters>"}');
    const created = await createApiKey(host.store, name);
    await host.store.audit("api_key.created", { actor: c.get("apiKeyId"), detail: { id: created.id, name } });
    return revealOnce(c.json(created, 201));
  });

  app.delete("/:id", async (c) => {
    const id = c.req.param("id");
    if (!(await host.store.revokeApiKey(id))) return errorJson(c, 404, "api_key_not_found", `no live host API key ${id}`);
    await host.store.audit("api_key.revoked", { actor: c.get("apiKeyId"), detail: { id } });
    return c.json({ id, revoked: true });
  });

  return app;
}
