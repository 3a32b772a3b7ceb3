// A worker's own listener for /healthz, /readyz and /metrics (a worker serves no other HTTP).
import { serve, type ServerType } from "@hono/node-server";
import { Hono } from "hono";
import type { AddressInfo } from "node:net";
import { opsRoutes, type OpsRoutesOptions } from "./routes.js";

export type OpsServer = { url: string; port: number; close(): Promise<void> };

export async function startOpsServer(opts: OpsRoutesOptions & { port: number; hostname?: string }): Promise<OpsServer> {
  const hostname = opts.hostname ?? "127.0.0.1";
  const app = new Hono();
  app.route("/", opsRoutes(opts));
  let server: ServerType | undefined;
  const port = await new Promise<number>((resolve, reject) => {
    server = serve({ fetch: app.fetch, port: opts.port, hostname }, (info: AddressInfo) => resolve(info.port));
    server.once("error", reject);
  });
  return { url: `http://${hostname}:${port}`, port, close: () => new Promise<void>((resolve) => server!.close(() => resolve())) };
}
