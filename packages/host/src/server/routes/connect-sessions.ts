// POST /api/connect/sessions and /api/connect/sessions/reconnect (behind a host API key):
// the operator mints a short-lived, single-use session for an end user and sends them to
// its connectUrl.
import { Hono } from "hono";
import type { Host } from "../../app/open-host.js";
import {
  connectSessionRequestSchema,
  createConnectSession,
  createReconnectSession,
  parseSessionRequest,
  reconnectSessionRequestSchema,
  type ConnectSessionDeps,
  type MintedConnectSession,
} from "../../oauth/connect-sessions.js";
import { isOAuthFlowError } from "../../oauth/errors.js";
import { errorJson, flowErrorJson } from "../http-errors.js";
import { revealOnce } from "../reveal.js";

export type ApiVariables = { apiKeyId: string };

/** Where the merchant goes with a session's token: the connect page. */
export function connectUrl(publicUrl: string, token: string, connectors: readonly string[]): string {
  return sessionUrl("/connect", publicUrl, token, connectors);
}

/** The flow's start without the page (settings as query parameters): for scripts and the CLI. */
export function connectStartUrl(publicUrl: string, token: string, connectors: readonly string[]): string {
  return sessionUrl("/oauth/start", publicUrl, token, connectors);
}

function sessionUrl(path: string, publicUrl: string, token: string, connectors: readonly string[]): string {
  const url = new URL(path, publicUrl);
  url.searchParams.set("session", token);
  if (connectors.length === 1) url.searchParams.set("connector", connectors[0]!);
  return url.toString();
}

export function connectSessionRoutes(host: Host, opts: { publicUrl: string; returnUrlOrigins?: readonly string[] }): Hono<{ Variables: ApiVariables }> {
  const app = new Hono<{ Variables: ApiVariables }>();
  const deps: ConnectSessionDeps = {
    store: host.store,
    vault: host.vault,
    manifest: async (key) => (await host.connectors.get(key))?.manifest,
    ...(opts.returnUrlOrigins ? { returnUrlOrigins: opts.returnUrlOrigins } : {}),
  };
  const answer = (minted: MintedConnectSession, connectors: readonly string[]) => ({
    id: minted.id,
    token: minted.token,
    connectUrl: connectUrl(opts.publicUrl, minted.token, connectors),
    startUrl: connectStartUrl(opts.publicUrl, minted.token, connectors),
    expiresAt: new Date(minted.expiresAt).toISOString(),
  });
  const body = async (c: { req: { json(): Promise<unknown> } }): Promise<unknown> => c.req.json().catch(() => undefined);

  app.post("/", async (c) => {
    try {
      const request = parseSessionRequest(connectSessionRequestSchema, await body(c));
      return revealOnce(c.json(answer(await createConnectSession(deps, request, c.get("apiKeyId")), request.connectors), 201));
    } catch (error) {
      if (isOAuthFlowError(error)) return flowErrorJson(c, error);
      throw error;
    }
  });

  app.post("/reconnect", async (c) => {
    try {
      const request = parseSessionRequest(reconnectSessionRequestSchema, await body(c));
      const minted = await createReconnectSession(deps, request, c.get("apiKeyId"));
      const connection = await host.store.connections.get(request.connectionId);
      return revealOnce(c.json({ ...answer(minted, [connection!.connector_key]), connectionId: request.connectionId }, 201));
    } catch (error) {
      if (isOAuthFlowError(error)) return flowErrorJson(c, error);
      throw error;
    }
  });

  app.all("*", (c) => errorJson(c, 404, "not_found", "no such connect session endpoint"));
  return app;
}
