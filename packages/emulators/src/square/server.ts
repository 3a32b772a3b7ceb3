// The Square emulator as a Hono app (createSquareApp, pure, for in-process tests) and as a
// real HTTP server on 127.0.0.1 (startSquareEmulator).

import type { AddressInfo } from "node:net";
import type { Server } from "node:http";
import { serve } from "@hono/node-server";
import { Hono } from "hono";
import { registerCustomerRoutes } from "./api/customers.js";
import { errorResponse, invalidRequest, requireAccessToken, type SquareEnv } from "./api/context.js";
import { registerMerchantRoutes } from "./api/merchants.js";
import { registerOrderRoutes } from "./api/orders.js";
import { registerPaymentRoutes } from "./api/payments.js";
import { faultMiddleware } from "./faults.js";
import { registerOAuthRoutes } from "./oauth.js";
import { SquareEmulatorState, type SquareEmulatorOptions } from "./state.js";
import { ExchangeRecorder, RECORD_DIR_ENV } from "./recorder.js";
import { squareVersionMiddleware } from "./version.js";

export function createSquareApp(state: SquareEmulatorState): Hono {
  const app = new Hono();

  app.use("*", async (c, next) => {
    await next();
    state.requests.push({ method: c.req.method, path: c.req.path, squareVersion: c.req.header("square-version"), status: c.res.status });
  });

  const recordDir = state.options.recordDir ?? process.env[RECORD_DIR_ENV];
  if (recordDir) app.use("*", new ExchangeRecorder(recordDir).middleware());
  app.use("/v2/*", squareVersionMiddleware());

  const faults = faultMiddleware(state.faults, (token) => state.oauth.checkAccessToken(token).ok && state.revokeToken({ accessToken: token }) > 0);
  app.use("/v2/*", faults);
  if (state.faults.options.includeOAuth) app.use("/oauth2/token", faults);

  registerOAuthRoutes(app, state);

  const api = new Hono<SquareEnv>();
  api.use("/v2/*", requireAccessToken(state));
  registerMerchantRoutes(api);
  registerCustomerRoutes(api, state);
  registerOrderRoutes(api, state);
  registerPaymentRoutes(api, state);
  app.route("/", api);

  app.notFound((c) => errorResponse(c, 404, invalidRequest("NOT_FOUND", `No route for ${c.req.method} ${c.req.path}.`)));
  app.onError((_error, c) => c.json({ errors: [{ category: "API_ERROR", code: "INTERNAL_SERVER_ERROR", detail: "The emulator failed to handle this request." }] }, 500));
  return app;
}

export interface StartSquareEmulatorOptions extends SquareEmulatorOptions {
  /** Default 0: any free port. */
  port?: number;
  /** Default 127.0.0.1. */
  hostname?: string;
}

export interface RunningSquareEmulator {
  url: string;
  port: number;
  state: SquareEmulatorState;
  close(): Promise<void>;
}

export async function startSquareEmulator(options: StartSquareEmulatorOptions = {}): Promise<RunningSquareEmulator> {
  const { port = 0, hostname = "127.0.0.1", ...stateOptions } = options;
  const state = new SquareEmulatorState(stateOptions);
  const app = createSquareApp(state);
  const info = await new Promise<{ server: Server; address: AddressInfo }>((resolve, reject) => {
    const server = serve({ fetch: app.fetch, port, hostname }, (address) => resolve({ server, address })) as Server;
    server.once("error", reject);
  });
  const url = `http://${hostname}:${info.address.port}`;
  return {
    url,
    port: info.address.port,
    state,
    close: () =>
      new Promise<void>((resolve, reject) => {
        state.faults.releaseHung();
        info.server.close((error) => (error ? reject(error) : resolve()));
        info.server.closeAllConnections();
      }),
  };
}
