// Runs the server on @hono/node-server, 127.0.0.1 by default.
import { serve, type ServerType } from "@hono/node-server";
import type { AddressInfo } from "node:net";
import { createServerApp, type ServerAppOptions } from "./app.js";

export type RunningServer = { url: string; port: number; close(): Promise<void> };

export async function startHostServer(opts: Omit<ServerAppOptions, "redirectUri"> & { port?: number; hostname?: string; redirectUri?: string }): Promise<RunningServer> {
  const hostname = opts.hostname ?? "127.0.0.1";
  let server: ServerType | undefined;
  const port = await new Promise<number>((resolve) => {
    // The redirect URI needs the port, known only once listening: build the app lazily.
    let app: ReturnType<typeof createServerApp> | undefined;
    server = serve({ fetch: (req, env) => app!.fetch(req, env), port: opts.port ?? 8976, hostname }, (info: AddressInfo) => {
      app = createServerApp({ ...opts, redirectUri: opts.redirectUri ?? `http://${hostname}:${info.port}/oauth/callback` });
      resolve(info.port);
    });
  });
  return {
    url: `http://${hostname}:${port}`,
    port,
    close: () => new Promise<void>((resolve) => server!.close(() => resolve())),
  };
}
