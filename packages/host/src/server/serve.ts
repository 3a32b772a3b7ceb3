// Runs the server on @hono/node-server, 127.0.0.1 by default. Every connector is loaded
// before the server listens, so answering a request never imports a module.
import { serve, type ServerType } from "@hono/node-server";
import type { AddressInfo } from "node:net";
import { BackfillError } from "@backfill-io/sdk";
import { createServerApp, type ServerAppOptions } from "./app.js";
import { defaultAllowedHosts } from "./host-guard.js";
import { startAuthWebhookDeliverer, type AuthWebhookConfig } from "../events/auth-webhooks.js";

export type RunningServer = { url: string; port: number; publicUrl: string; close(): Promise<void> };

export type StartHostServerOptions = Omit<ServerAppOptions, "publicUrl" | "allowedHosts"> & {
  port?: number;
  hostname?: string;
  /** Default: http://<hostname>:<port>. */
  publicUrl?: string;
  /** Default: see defaultAllowedHosts. */
  allowedHosts?: readonly string[];
  /** POST auth events (connection created/reconnected/reauth_required/revoked) here, signed. */
  authWebhook?: AuthWebhookConfig & { pollMs?: number; backoffBaseMs?: number };
};

/**
 * The listen address cannot be bound: a clear error, not a stack trace. Its code is the
 * system's (`EADDRINUSE`: the port is in use; `EACCES`, ...), else listen_failed.
 */
export const LISTEN_FAILED = "listen_failed";

export async function startHostServer(opts: StartHostServerOptions): Promise<RunningServer> {
  const hostname = opts.hostname ?? "127.0.0.1";
  await opts.host.connectors.preload?.();
  let server: ServerType | undefined;
  let publicUrl = "";
  const port = await new Promise<number>((resolve, reject) => {
    // The public URL may need the port, known only once listening: build the app lazily.
    let app: ReturnType<typeof createServerApp> | undefined;
    server = serve({ fetch: (req, env) => app!.fetch(req, env), port: opts.port ?? 8976, hostname }, (info: AddressInfo) => {
      publicUrl = opts.publicUrl ?? `http://${hostname}:${info.port}`;
      app = createServerApp({ ...opts, publicUrl, allowedHosts: opts.allowedHosts ?? defaultAllowedHosts(publicUrl, info.port) });
      resolve(info.port);
    });
    server.once("error", (error: NodeJS.ErrnoException) => {
      reject(
        new BackfillError(
          error.code ?? LISTEN_FAILED,
          error.code === "EADDRINUSE" ? `port ${opts.port} on ${hostname} is in use` : `cannot listen on ${hostname}:${opts.port}: ${error.message}`,
          { hostname, port: opts.port },
        ),
      );
    });
  });
  const deliverer = opts.authWebhook
    ? startAuthWebhookDeliverer({
        store: opts.host.store,
        config: opts.authWebhook,
        logger: opts.host.logger,
        ...(opts.authWebhook.pollMs ? { pollMs: opts.authWebhook.pollMs } : {}),
        ...(opts.authWebhook.backoffBaseMs ? { backoffBaseMs: opts.authWebhook.backoffBaseMs } : {}),
      })
    : undefined;
  return {
    url: `http://${hostname}:${port}`,
    port,
    publicUrl,
    close: async () => {
      await deliverer?.stop();
      await new Promise<void>((resolve) => server!.close(() => resolve()));
    },
  };
}
