// The demo environment: both provider emulators, the host (embedded SQLite store, route
// runner, sync engine) and its HTTP server, wired with provider routing so the real
// provider URLs in manifests and connector code reach the emulators. Used by `backfill
// demo` and by the end-to-end tests.
import { randomBytes } from "node:crypto";
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";
import {
  createHostHttp,
  createPostConnectRunner,
  DEFAULT_HTTP_LIMITS,
  openHost,
  RouteRunner,
  silentLogger,
  startHostServer,
  createApiKey,
  syncEngineForHost,
  type AuthWebhookConfig,
  type Host,
  type HostHttp,
  type HostLogger,
  type SyncEngine,
  workspaceConnectorRegistry,
} from "@backfill-io/host";
import { startShopifyEmulator, startSquareEmulator, type RunningShopifyEmulator, type RunningSquareEmulator } from "@backfill-io/emulators";
import { browseAuthorization } from "./consent-browser.js";

export const DEMO_SHOP = "backfill-demo";
export const DEMO_MERCHANT = "DEMO_MERCHANT_USD";

/** Injected provider fault rates (0..1 each), deterministic by seed. */
export type FaultRates = {
  rateLimited?: number;
  serverError?: number;
  /** Requests the emulator holds past the host's request timeout: the host gives up on them. */
  timeout?: number;
  /** 200 answers whose JSON body is cut short. */
  malformedJson?: number;
  /** Requests whose access token the provider revokes (the merchant disconnects): the sync ends in reauth_required. */
  revoked?: number;
};

export type DemoEnvironmentOptions = {
  dataDir: string;
  /** The store on PostgreSQL (migrated here: the demo's own database); unset: SQLite in the data dir. */
  databaseUrl?: string;
  /** Orders per shop / merchant (customers scale with it). */
  orders?: number;
  /** The emulated shop's bulk operations: processing rate (objects a second) and concurrent jobs. */
  shopifyBulk?: { objectsPerSecond?: number; maxConcurrent?: number };
  /** The emulated shop's query-cost bucket; unset: a Plus shop's (20,000 points, 1,000/s). */
  shopifyThrottle?: { maximumAvailable: number; restoreRate: number };
  seed?: number;
  /** Injected provider faults, deterministic by seed; off until enableFaults(). */
  faults?: FaultRates;
  /**
   * The host's whole-request timeout for connector HTTP calls (default: the host's). Tests
   * with injected timeouts shorten it so a hung request costs a second, not a minute.
   */
  requestTimeoutMs?: number;
  logger?: HostLogger;
  /** Route runner mode: built packages (default) or TypeScript source. */
  mode?: "dist" | "source";
  /** Clock for the emulators' data (ISO end of the seeded history); default now. */
  dataAnchor?: string;
  /** More emulated shops besides DEMO_SHOP (e.g. to reconnect with the wrong account). */
  extraShops?: string[];
  /** The host's auth webhook target (signed events on connection status changes). */
  authWebhook?: AuthWebhookConfig & { pollMs?: number; backoffBaseMs?: number };
  /** Origins a connect session's returnUrl may point at. */
  returnUrlOrigins?: string[];
  /** The host's clock (tests move it to expire sessions). */
  clock?: () => number;
};

export type ConnectResult = { connectionId: string; providerAccountId: string; providerAccountName: string | undefined; hops: string[] };

export type DemoEnvironment = {
  host: Host;
  runner: RouteRunner;
  engine: SyncEngine;
  shopify: RunningShopifyEmulator;
  square: RunningSquareEmulator;
  serverUrl: string;
  /** HostHttp with provider routing: the scripted browser's network. */
  browserHttp: HostHttp;
  /** The host API key the demo's operator mints connect sessions with. */
  operatorKey: string;
  /** The dashboard's sign-in page. */
  dashboardUrl: string;
  /** A connect page (new connection) to open in a browser. */
  connectPageUrl(connector: "shopify" | "square"): Promise<string>;
  connect(connector: "shopify" | "square", settings: Record<string, string>): Promise<ConnectResult>;
  /** Turns the injected provider faults on (they stay off while connecting). */
  enableFaults(): void;
  close(): Promise<void>;
};

/** App credentials the emulators know; the host stores them encrypted like any credential. */
function demoApps() {
  return {
    shopify: { clientId: "demo-shopify-app", clientSecret: `shpss_${randomBytes(16).toString("hex")}` },
    square: { clientId: "sq0idp-demo-app", clientSecret: `sq0csp-${randomBytes(16).toString("hex")}` },
  };
}

export async function startDemoEnvironment(opts: DemoEnvironmentOptions): Promise<DemoEnvironment> {
  const apps = demoApps();
  const orders = opts.orders ?? 1000;
  const seed = opts.seed ?? 7;
  const faultRates = { rateLimited: 0, serverError: 0, timeout: 0, malformedJson: 0, revoked: 0, ...opts.faults };
  // A hung request outlasts the host's timeout, so the host (not the emulator) ends it.
  const hangMs = 2 * (opts.requestTimeoutMs ?? DEFAULT_HTTP_LIMITS.requestTimeoutMs);
  const closers: (() => Promise<void>)[] = [];
  const close = async () => {
    for (const c of closers.reverse()) await c().catch(() => undefined);
  };
  try {
    const shopify = await startShopifyEmulator({
      apps: [{ ...apps.shopify, scopes: ["read_customers", "read_orders"] }],
      shops: [DEMO_SHOP, ...(opts.extraShops ?? [])],
      seed,
      orders,
      customers: Math.max(5, Math.round(orders / 4)),
      faults: { retryAfterSeconds: 1 },
      // A Shopify Plus shop's bucket (20,000 points, 1,000/s): the standard plan's 100/s
      // would make the demo spend most of its minute waiting for the leaky bucket.
      throttle: opts.shopifyThrottle ?? { maximumAvailable: 20_000, restoreRate: 1_000 },
      ...(opts.shopifyBulk ? { bulk: opts.shopifyBulk } : {}),
    });
    closers.push(() => shopify.close());
    const square = await startSquareEmulator({
      apps: [apps.square],
      merchants: [{ id: DEMO_MERCHANT, businessName: "Backfill Demo Café", currency: "USD", locations: 12, orders, customers: Math.max(5, Math.round(orders / 4)) }],
      defaultMerchantId: DEMO_MERCHANT,
      seed,
      dataAnchor: opts.dataAnchor ?? new Date().toISOString(),
      faults: { hangMs },
    });
    closers.push(() => square.close());

    const providerRoutes = [
      { match: "https://*.myshopify.com", target: shopify.url },
      // Bulk operation results: Shopify's signed URLs on Cloud Storage, served by the emulator.
      { match: "https://storage.googleapis.com", target: shopify.url },
      { match: "https://connect.squareup.com", target: square.url },
    ];
    const runner = new RouteRunner({ mode: opts.mode ?? "dist", ...(opts.requestTimeoutMs !== undefined ? { http: { requestTimeoutMs: opts.requestTimeoutMs } } : {}) });
    closers.push(() => runner.close());
    // postConnect runs routes through the runner, for the host being opened here.
    const ref: { host?: Host } = {};
    const host = await openHost({
      dataDir: opts.dataDir,
      ...(opts.databaseUrl ? { databaseUrl: opts.databaseUrl, migrate: true } : {}),
      providerRoutes,
      logger: opts.logger ?? silentLogger,
      // The connectors this CLI package depends on (@backfill-io/connector-*).
      connectors: workspaceConnectorRegistry({ resolveFrom: [dirname(fileURLToPath(import.meta.url))] }),
      postConnect: createPostConnectRunner(runner, () => ref.host!),
      ...(opts.clock ? { clock: opts.clock } : {}),
    });
    ref.host = host;
    closers.push(() => host.close());
    await host.credentials.set("shopify_public_app", apps.shopify);
    await host.credentials.set("square_public_app", apps.square);
    const engine = syncEngineForHost(host, runner);
    const server = await startHostServer({
      host,
      runner,
      port: 0,
      ...(opts.authWebhook ? { authWebhook: opts.authWebhook } : {}),
      ...(opts.returnUrlOrigins ? { returnUrlOrigins: opts.returnUrlOrigins } : {}),
    });
    closers.push(() => server.close());
    const browserHttp = createHostHttp({ providerRoutes });
    closers.push(() => browserHttp.close());

    // The operator's side of a connect: a host API key mints a connect session (a reconnect
    // session when the demo connected this provider before) and the browser opens its connectUrl.
    const operatorKey = (await createApiKey(host.store, "demo operator")).key;
    const mintSession = async (connector: "shopify" | "square"): Promise<string> => {
      const existing = (await host.store.connections.list()).find((c) => c.connector_key === connector && c.status !== "pending");
      const res = await browserHttp({
        method: "POST",
        url: new URL(existing ? "/api/connect/sessions/reconnect" : "/api/connect/sessions", server.url).toString(),
        headers: { authorization: `Bearer ${operatorKey}`, "content-type": "application/json" },
        body: JSON.stringify(
          existing ? { connectionId: existing.id } : { connectors: [connector], endUser: { id: "demo-merchant", displayName: "Demo merchant" }, tags: { source: "demo" } },
        ),
      });
      const minted = JSON.parse(res.bodyText) as { startUrl?: string; error?: { code: string; message: string } };
      if (!minted.startUrl)
        throw new Error(`minting a connect session for ${connector} failed: ${minted.error ? `${minted.error.code}: ${minted.error.message}` : `HTTP ${res.status}`}`);
      return minted.startUrl;
    };

    const connect = async (connector: "shopify" | "square", settings: Record<string, string>): Promise<ConnectResult> => {
      const start = new URL(await mintSession(connector));
      for (const [k, v] of Object.entries(settings)) start.searchParams.set(k, v);
      const { response, hops } = await browseAuthorization(browserHttp, start.toString());
      const body = JSON.parse(response.bodyText) as {
        ok?: boolean;
        connectionId?: string;
        providerAccount?: { id: string; name?: string };
        error?: { code: string; message: string };
      };
      if (!body.ok || !body.connectionId) {
        throw new Error(`connecting ${connector} failed: ${body.error ? `${body.error.code}: ${body.error.message}` : `HTTP ${response.status}`}`);
      }
      return { connectionId: body.connectionId, providerAccountId: body.providerAccount?.id ?? "", providerAccountName: body.providerAccount?.name, hops };
    };

    // A connect page for a new connection (a person opens it in a browser).
    const connectPageUrl = async (connector: "shopify" | "square"): Promise<string> => {
      const res = await browserHttp({
        method: "POST",
        url: new URL("/api/connect/sessions", server.url).toString(),
        headers: { authorization: `Bearer ${operatorKey}`, "content-type": "application/json" },
        body: JSON.stringify({ connectors: [connector], endUser: { id: "demo-visitor", displayName: "Demo visitor" }, tags: { source: "demo --serve" } }),
      });
      const minted = JSON.parse(res.bodyText) as { connectUrl?: string };
      if (!minted.connectUrl) throw new Error(`minting a connect session for ${connector} failed: HTTP ${res.status}`);
      return new URL(minted.connectUrl, server.url).toString();
    };

    const enableFaults = () => {
      shopify.state.setFaults({ ...faultRates, hangMs, retryAfterSeconds: 1 });
      square.state.faults.setRates(faultRates);
    };

    return {
      host,
      runner,
      engine,
      shopify,
      square,
      serverUrl: server.url,
      browserHttp,
      operatorKey,
      dashboardUrl: new URL("/ui/login", server.url).toString(),
      connect,
      connectPageUrl,
      enableFaults,
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}
