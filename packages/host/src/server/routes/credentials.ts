// GET /api/credentials (client ids, never secrets) and PUT /api/credentials/:key (set or
// rotate an OAuth app credential), behind a host API key.
import { Hono } from "hono";
import type { Host } from "../../app/open-host.js";
import { isBackfillError } from "@backfill-io/sdk";
import { CREDENTIAL_ERROR_CODES } from "../../error-codes.js";
import { errorJson } from "../http-errors.js";
import type { ApiVariables } from "./connect-sessions.js";

export function credentialRoutes(host: Host): Hono<{ Variables: ApiVariables }> {
  const app = new Hono<{ Variables: ApiVariables }>();

  app.get("/", async (c) => c.json({ credentials: await host.credentials.list() }));

  app.put("/:key", async (c) => {
    const body = (await c.req.json().catch(() => undefined)) as { clientId?: unknown; clientSecret?: unknown } | undefined;
    if (typeof body?.clientId !== "string" || typeof body.clientSecret !== "string" || !body.clientSecret) {
      return errorJson(c, 400, "invalid_credential_request", 'send {"clientId":"...","clientSecret":"..."}');
    }
    try {
      const summary = await host.credentials.set(c.req.param("key"), { clientId: body.clientId, clientSecret: body.clientSecret });
      await host.store.auditLog.append("credential.set", { actor: c.get("apiKeyId"), detail: { credentialKey: summary.credentialKey } });
      return c.json({ credential: summary });
    } catch (error) {
      if (isBackfillError(error, CREDENTIAL_ERROR_CODES)) return errorJson(c, 400, error.code, error.message);
      throw error;
    }
  });

  return app;
}
