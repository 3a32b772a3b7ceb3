// Shared test support: the demo fixture connector's manifest, fake connection
// services and a local provider server on 127.0.0.1.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";
import { defineConnector, ReauthRequiredError, type CheckpointState, type ConnectorManifest } from "@backfill-io/sdk";
import type { ConnectionServices, RouteLogEntry } from "../../src/runner/index.js";

export const DEMO_DIR = fileURLToPath(new URL("../fixtures/demo", import.meta.url));

/** Canary values: tests assert they never appear in logs, errors or responses. */
export const CANARY_TOKEN = "canary-access-token-0b1d7e";
export const CANARY_SECRET = "canary-api-key-5f2c9a";

export const PROVIDER_HOST = "api.provider.test";
/** Allowed by a wildcard pattern only, so never a host the OAuth token may go to. */
export const TENANT_HOST = "acme.shops.provider.test";

export function demoManifest(port: number): ConnectorManifest {
  return defineConnector({
    key: "demo",
    name: "Demo",
    provider: "demo",
    version: "0.1.0",
    permissions: {
      http: [`http://127.0.0.1:${port}/*`, `https://${PROVIDER_HOST}/*`, "https://other.provider.test/*", "https://*.shops.provider.test/*"],
      entities: { Customer: ["write"] },
      secrets: { api_key: ["read"], webhook_secret: ["read"] },
    },
    connection: {
      oauth: {
        type: "authorization_code",
        authorizationUrlTemplate: `https://${PROVIDER_HOST}/oauth/authorize`,
        tokenUrlTemplate: `https://${PROVIDER_HOST}/oauth/token`,
        scopes: ["customers.read"],
        client: { credentialKey: "demo_app", webhookSecret: "webhook_secret" },
      },
      settingsSchema: {
        properties: {
          base_url: { type: "string" },
          api_key: { type: "string", "x-secret": true },
        },
      },
    },
    streams: [
      { name: "customers", route: "/sync/customers", entity: "customer" },
      { name: "secured", route: "/sync/secured", entity: "customer" },
    ],
    // /undeclared says auth "public" but is not listed: the host must require the API key for it.
    routes: { public: ["/misbehave", "/timer-at-load"], webhooks: ["/webhook", "/webhooks/signed"] },
  });
}

export type FakeServices = ConnectionServices & {
  checkpoints: Map<string, CheckpointState>;
  logged: RouteLogEntry[];
  tokenCalls: number;
  reauth: boolean;
};

export function fakeServices(port: number, overrides: Partial<ConnectionServices> = {}): FakeServices {
  const checkpoints = new Map<string, CheckpointState>();
  const logged: RouteLogEntry[] = [];
  const services: FakeServices = {
    connectionId: "conn_demo",
    manifest: demoManifest(port),
    settings: { base_url: `http://127.0.0.1:${port}` },
    checkpoints,
    logged,
    tokenCalls: 0,
    reauth: false,
    secret: (name) => (name === "api_key" ? CANARY_SECRET : undefined),
    accessToken: async () => {
      services.tokenCalls++;
      if (services.reauth) throw new ReauthRequiredError("refresh_failed");
      return CANARY_TOKEN;
    },
    committedCheckpoint: (stream) => checkpoints.get(stream),
    log: (entry) => logged.push(entry),
    ...overrides,
  };
  return services;
}

export type Handler = (req: IncomingMessage, res: ServerResponse, body: string) => void;

export type TestServer = {
  port: number;
  base: string;
  server: Server;
  requests: { method: string; url: string; headers: IncomingMessage["headers"]; body: string }[];
  close(): Promise<void>;
};

export async function startServer(handler: Handler): Promise<TestServer> {
  const requests: TestServer["requests"] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks).toString("utf8");
      requests.push({ method: req.method ?? "GET", url: req.url ?? "/", headers: req.headers, body });
      handler(req, res, body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    base: `http://127.0.0.1:${port}`,
    server,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { "content-type": "application/json", ...headers });
  res.end(JSON.stringify(body));
}

/** A provider with `pages` pages of `perPage` customers each. */
export function customerPages(pages: number, perPage: number) {
  return (page: number) => ({
    customers: Array.from({ length: perPage }, (_, i) => {
      const n = (page - 1) * perPage + i + 1;
      return { id: `c${n}`, name: `Customer ${n}`, email: `c${n}@example.com` };
    }),
    next: page < pages ? page + 1 : null,
  });
}
