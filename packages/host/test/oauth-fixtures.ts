// Shared fixtures for the host's OAuth, token and vault tests: manifests shaped like
// Shopify's and Square's, an OAuth provider stand-in on 127.0.0.1, and a host opened on
// a temp dir whose HostHttp routes the providers' hosts to the stand-in.
import { createServer, type IncomingMessage, type Server } from "node:http";
import { mkdtempSync, readFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { randomBytes } from "node:crypto";
import { Writable } from "node:stream";
import { afterAll, afterEach, beforeAll, expect } from "vitest";
import { request } from "undici";
import { defineConnector, type ConnectorManifest, type HttpResponse, type OAuthConfig } from "@backfill-io/sdk";
import type { HttpRequestSpec } from "@backfill-io/sdk/host";
import { shopifyCallbackHmac, shopifyProviderPlugin } from "@backfill-io/connector-shopify/provider";
import { openHost, type Host, type OpenHostOptions } from "../src/app/open-host.js";
import { staticConnectorRegistry } from "../src/app/connectors.js";
import { createHostLogger } from "../src/app/logger.js";
import { inProcessPostConnectRunner } from "./in-process-post-connect.js";
import { SQLITE_TARGET, databaseText, type DatabaseTarget, type StoreTarget } from "./store-targets.js";
import { providerRouter } from "../src/http/provider-routes.js";

export const HERE = dirname(fileURLToPath(import.meta.url));
export const CANARY = "CANARY";
export const canary = (what: string) => `${CANARY}-${what}-${randomBytes(6).toString("hex")}`;

/** Square's /oauth2/revoke (not RFC 7009), as manifest data: JSON { client_id, access_token }, Authorization: Client <secret>. */
export const SQUARE_STYLE_REVOCATION = {
  method: "POST",
  encoding: "json",
  body: { client_id: "client_id", access_token: "access_token" },
  clientSecretAuthorizationScheme: "Client",
} as const;

export const shopifyManifest: ConnectorManifest = defineConnector({
  key: "shopify",
  name: "Shopify",
  provider: "shopify",
  version: "0.1.0",
  permissions: { http: ["https://*.myshopify.com/*"], secrets: { webhook_secret: ["read"] } },
  connection: {
    oauth: {
      type: "authorization_code",
      authorizationUrlTemplate: "https://{settings.shop_domain}/admin/oauth/authorize",
      tokenUrlTemplate: "https://{settings.shop_domain}/admin/oauth/access_token",
      scopes: ["read_customers", "read_orders"],
      scopeSeparator: ",",
      accessType: "offline",
      requiredSettings: ["shop_domain"],
      client: { credentialKey: "shopify_public_app" },
      token: {
        accessTokenPath: "access_token",
        refreshTokenPath: "refresh_token",
        expiresInPath: "expires_in",
        refreshExpiresInPath: "refresh_token_expires_in",
        scopePath: "scope",
      },
      tokenRequestParams: { expiring: "1" },
      refresh: { enabled: true, rotatesRefreshToken: true },
      postConnect: { route: "/setup/test_connection", method: "POST" },
      callbackVerifiers: ["shopifyHmac"],
      hostValidation: { shop_domain: { suffix: ".myshopify.com", normalize: "shopifyShopDomain" } },
    },
    settingsSchema: {
      type: "object",
      required: ["shop_domain"],
      properties: {
        shop_domain: { type: "string" },
        webhook_secret: { type: "string", "x-secret": true },
      },
    },
  },
});

export const squareManifest: ConnectorManifest = defineConnector({
  key: "square",
  name: "Square",
  provider: "square",
  version: "0.1.0",
  permissions: { http: ["https://connect.squareup.com/*"] },
  connection: {
    oauth: {
      type: "authorization_code",
      authorizationUrlTemplate: "https://connect.squareup.com/oauth2/authorize",
      tokenUrlTemplate: "https://connect.squareup.com/oauth2/token",
      revocationUrlTemplate: "https://connect.squareup.com/oauth2/revoke",
      revocationRequest: SQUARE_STYLE_REVOCATION,
      scopes: ["PAYMENTS_READ", "ORDERS_READ"],
      pkce: true,
      client: { credentialKey: "square_public_app" },
      tokenRequestEncoding: "json",
      authorizationParams: { session: "false" },
      refresh: { enabled: true, rotatesRefreshToken: false },
      token: { accessTokenPath: "access_token", refreshTokenPath: "refresh_token", expiresAtPath: "expires_at", accountIdPath: "merchant_id" },
    },
  },
});

/**
 * A plain RFC 6749 connector manifest (no provider quirks), for tests of one mechanism:
 * `oauth` overrides the defaults, `authMethod` sets the client authentication.
 */
export function genericOAuthManifest(
  opts: { key?: string; provider?: string; authMethod?: "client_secret_post" | "client_secret_basic" | "none"; oauth?: Partial<OAuthConfig> } = {},
): ConnectorManifest {
  const authMethod = opts.authMethod ?? "client_secret_post";
  return defineConnector({
    key: opts.key ?? "acme",
    name: "Acme",
    ...(opts.provider ? { provider: opts.provider } : {}),
    version: "0.1.0",
    connection: {
      oauth: {
        type: "authorization_code",
        authorizationUrlTemplate: "https://id.example.com/authorize",
        tokenUrlTemplate: "https://id.example.com/token",
        revocationUrlTemplate: "https://id.example.com/revoke",
        pkce: authMethod === "none",
        client: { credentialKey: "app", authMethod },
        ...opts.oauth,
      },
    },
  });
}

export type RecordedRequest = { method: string; path: string; host: string; headers: IncomingMessage["headers"]; body: Record<string, string> };

type Grant = { access: string; refresh: string | null; host: string };

/**
 * An OAuth provider stand-in: Shopify-style /admin/oauth/{authorize,access_token} (the
 * shop from the Host header) and Square-style /oauth2/{authorize,token,revoke}.
 */
export class ProviderStandIn {
  server!: Server;
  origin = "";
  readonly requests: RecordedRequest[] = [];
  readonly clientId = "client-id-123";
  readonly clientSecret = canary("client-secret");
  /** Scopes granted by the next code exchanges (default: what was asked). */
  grantScopes: string | null = null;
  /** Token-endpoint answers to play before the normal behaviour. */
  readonly scripted: { status: number; body: unknown }[] = [];
  /** Delay for token requests (lets concurrent callers pile up). */
  tokenDelayMs = 0;
  expiresIn = 3600;
  /** Shop id by shop host (for postConnect). */
  readonly shops = new Map<string, { id: string; name: string }>();
  private readonly codes = new Map<string, { scope: string; host: string; challenge: string | null }>();
  readonly grants: Grant[] = [];
  readonly codesIssued: string[] = [];
  readonly verifiersSeen: string[] = [];
  private n = 0;

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        void this.handle(req, Buffer.concat(chunks).toString("utf8")).then(({ status, body, headers }) => {
          res.writeHead(status, { "content-type": "application/json", ...(headers ?? {}) });
          res.end(body === undefined ? "" : JSON.stringify(body));
        });
      });
    });
    await new Promise<void>((r) => this.server.listen(0, "127.0.0.1", r));
    const addr = this.server.address() as { port: number };
    this.origin = `http://127.0.0.1:${addr.port}`;
    return this;
  }

  stop(): Promise<void> {
    return new Promise((r) => this.server.close(() => r()));
  }

  get providerRoutes() {
    return [
      { match: "https://*.myshopify.com", target: this.origin },
      { match: "https://connect.squareup.com", target: this.origin },
    ];
  }

  tokenRequests(): RecordedRequest[] {
    return this.requests.filter((r) => /access_token$|\/oauth2\/token$/.test(r.path));
  }

  /** The authorize endpoint: returns the callback query the provider would redirect with. */
  authorize(authorizationUrl: string): Record<string, string> {
    const url = new URL(authorizationUrl);
    const code = canary("code");
    this.codesIssued.push(code);
    this.codes.set(code, { scope: url.searchParams.get("scope") ?? "", host: url.host, challenge: url.searchParams.get("code_challenge") });
    const query: Record<string, string> = { code, state: url.searchParams.get("state") ?? "" };
    if (url.host.endsWith(".myshopify.com")) {
      query.shop = url.host;
      query.timestamp = String(Math.floor(Date.now() / 1000));
      query.hmac = shopifyCallbackHmac(query, this.clientSecret);
    }
    return query;
  }

  issue(host: string): Grant {
    this.n++;
    const grant = { access: canary(`access${this.n}`), refresh: canary(`refresh${this.n}`), host };
    this.grants.push(grant);
    return grant;
  }

  private async handle(req: IncomingMessage, raw: string): Promise<{ status: number; body?: unknown; headers?: Record<string, string> }> {
    const url = new URL(req.url ?? "/", "http://x");
    const host = String(req.headers["x-forwarded-host"] ?? req.headers.host);
    const body: Record<string, string> = raw.startsWith("{") ? (JSON.parse(raw) as Record<string, string>) : Object.fromEntries(new URLSearchParams(raw));
    this.requests.push({ method: req.method ?? "GET", path: url.pathname, host, headers: req.headers, body });

    if (url.pathname === "/admin/oauth/authorize" || url.pathname === "/oauth2/authorize") {
      const query = this.authorize(`https://${host}${req.url}`);
      const redirect = new URL(url.searchParams.get("redirect_uri")!);
      for (const [k, v] of Object.entries(query)) redirect.searchParams.set(k, v);
      return { status: 302, headers: { location: redirect.toString() } };
    }
    if (url.pathname === "/oauth2/revoke") {
      const ok = req.headers.authorization === `Client ${this.clientSecret}` && body.client_id === this.clientId && this.grants.some((g) => g.access === body.access_token);
      return ok ? { status: 200, body: { success: true } } : { status: 401, body: { message: "unauthorized" } };
    }
    if (url.pathname !== "/admin/oauth/access_token" && url.pathname !== "/oauth2/token") return { status: 404, body: { error: "not_found" } };

    if (this.tokenDelayMs) await new Promise((r) => setTimeout(r, this.tokenDelayMs));
    const next = this.scripted.shift();
    if (next) return next;
    if (body.client_id !== this.clientId || body.client_secret !== this.clientSecret) return { status: 401, body: { error: "invalid_client" } };
    const json = url.pathname === "/oauth2/token";
    const answer = (g: Grant, scope: string) =>
      json
        ? {
            access_token: g.access,
            refresh_token: g.refresh,
            expires_at: new Date(Date.now() + this.expiresIn * 1000).toISOString(),
            merchant_id: "MERCHANT-1",
            token_type: "bearer",
          }
        : { access_token: g.access, refresh_token: g.refresh, expires_in: this.expiresIn, refresh_token_expires_in: 90 * 86400, scope };

    if (body.grant_type === "authorization_code") {
      const issued = this.codes.get(body.code ?? "");
      if (!issued) return { status: 400, body: { error: "invalid_grant" } };
      this.codes.delete(body.code!);
      if (issued.challenge) {
        this.verifiersSeen.push(body.code_verifier ?? "");
        const { pkceChallengeS256 } = await import("../src/oauth/pkce.js");
        if (pkceChallengeS256(body.code_verifier ?? "") !== issued.challenge)
          return { status: 400, body: { error: "invalid_grant", error_description: "PKCE verification failed" } };
      }
      return { status: 200, body: answer(this.issue(host), this.grantScopes ?? issued.scope) };
    }
    if (body.grant_type === "refresh_token") {
      const i = this.grants.findIndex((g) => g.refresh === body.refresh_token);
      // Only the latest refresh token of a host is valid (rotation).
      const latest = [...this.grants].reverse().find((g) => g.host === host);
      if (i < 0 || latest?.refresh !== body.refresh_token) return { status: 400, body: { error: "invalid_grant", error_description: "refresh token is invalid" } };
      return { status: 200, body: answer(this.issue(host), "read_customers,read_orders") };
    }
    if (body.grant_type === "urn:ietf:params:oauth:grant-type:token-exchange") {
      if (!this.grants.some((g) => g.access === body.subject_token) || body.expiring !== "1") return { status: 400, body: { error: "invalid_grant" } };
      return { status: 200, body: answer(this.issue(host), "read_customers,read_orders") };
    }
    return { status: 400, body: { error: "unsupported_grant_type" } };
  }

  /** Synchronous answers for the in-process postConnect route (the Admin GraphQL shop query). */
  syncHttp = (req: HttpRequestSpec): HttpResponse => {
    const url = new URL(req.url);
    this.requests.push({ method: req.method, path: url.pathname, host: url.host, headers: req.headers, body: {} });
    const token = req.headers["X-Shopify-Access-Token"];
    const valid = this.grants.some((g) => g.access === token && g.host === url.host);
    if (!valid) return { status: 401, ok: false, headers: {}, body: { errors: "Invalid API key or access token" } };
    const shop = this.shops.get(url.host) ?? { id: `gid://shopify/Shop/${url.host.split(".")[0]}`, name: url.host };
    return { status: 200, ok: true, headers: {}, body: { data: { shop: { id: shop.id, name: shop.name, myshopifyDomain: url.host } } } };
  };
}

/** Follows an authorization URL to the stand-in (as the browser would) and returns the callback query. */
export async function followAuthorization(authorizationUrl: string, routes: ProviderStandIn["providerRoutes"]): Promise<Record<string, string>> {
  const target = providerRouter(routes)(new URL(authorizationUrl));
  const res = await request(target.url, { method: "GET", headers: target.originalHost ? { host: target.originalHost } : {} });
  await res.body.text();
  const location = res.headers.location;
  if (res.statusCode !== 302 || typeof location !== "string") throw new Error(`authorize answered ${res.statusCode}`);
  return Object.fromEntries(new URL(location).searchParams);
}

export type TestHost = Host & { logs: () => string; standIn: ProviderStandIn };

export async function openTestHost(standIn: ProviderStandIn, opts: Partial<OpenHostOptions> & { dataDir?: string } = {}): Promise<TestHost> {
  let logs = "";
  const destination = new Writable({
    write(chunk: Buffer, _enc, cb) {
      logs += chunk.toString("utf8");
      cb();
    },
  });
  const dataDir = opts.dataDir ?? mkdtempSync(join(tmpdir(), "backfill-host-"));
  const connectors = staticConnectorRegistry([
    { key: "shopify", manifest: shopifyManifest, routesDir: join(HERE, "oauth-connector", "src", "api"), providerPlugin: shopifyProviderPlugin },
    { key: "square", manifest: squareManifest, routesDir: join(HERE, "oauth-connector", "src", "api") },
  ]);
  const ref: { runner?: ReturnType<typeof inProcessPostConnectRunner> } = {};
  const host = await openHost({
    dataDir,
    logger: createHostLogger({ level: "debug", destination }),
    connectors,
    providerRoutes: standIn.providerRoutes,
    postConnect: (id, route, candidate) => ref.runner!(id, route, candidate),
    tokens: { retryBaseDelayMs: 5, leasePollMs: 10, leaseTtlMs: 2_000 },
    ...opts,
  });
  ref.runner = inProcessPostConnectRunner(host, { syncHttp: standIn.syncHttp });
  await host.credentials.set("shopify_public_app", { clientId: standIn.clientId, clientSecret: standIn.clientSecret });
  await host.credentials.set("square_public_app", { clientId: standIn.clientId, clientSecret: standIn.clientSecret });
  return Object.assign(host, { logs: () => logs, standIn });
}

export const REDIRECT_URI = "http://127.0.0.1:8976/oauth/callback";

/** Connects a Shopify shop end to end; returns the connection id. */
export async function connectShop(host: TestHost, shop = "acme.myshopify.com"): Promise<string> {
  const started = await host.oauth.startAuthorization({ manifest: shopifyManifest, settings: { shop_domain: shop }, redirectUri: REDIRECT_URI });
  const query = await followAuthorization(started.authorizationUrl, host.standIn.providerRoutes);
  const done = await host.oauth.completeAuthorization(query);
  return done.connectionId;
}

/** The bytes of the database files (.db, -wal, -shm), as latin1 text for substring search. */
export function databaseBytes(dbFile: string | null): string {
  if (dbFile === null) throw new Error("databaseBytes reads a SQLite file; on PostgreSQL scan the tables (databaseText)");
  return ["", "-wal", "-shm"]
    .map((suffix) => dbFile + suffix)
    .filter((f) => existsSync(f))
    .map((f) => readFileSync(f).toString("latin1"))
    .join("\n");
}

/**
 * A test file's bed around one provider stand-in: hosts opened on it are closed at the end,
 * after a canary scan of each host's database files and logs and of the collected error
 * texts — no canary and no PKCE verifier the stand-in saw may appear in any of them.
 */
export function standInTestBed(target: StoreTarget = SQLITE_TARGET) {
  const standIn = new ProviderStandIn();
  const hosts: TestHost[] = [];
  // Which database each host was opened on, so another "process" can open the same one.
  const databases = new WeakMap<Host, DatabaseTarget>();
  const openOn = async (database: DatabaseTarget, opts: Parameters<typeof openTestHost>[1] = {}) => {
    const host = await openTestHost(standIn, { dataDir: database.dataDir, ...(database.databaseUrl ? { databaseUrl: database.databaseUrl, migrate: true } : {}), ...opts });
    databases.set(host, database);
    return host;
  };
  const errorTexts: string[] = [];
  beforeAll(async () => {
    await standIn.start();
  });
  afterEach(() => {
    standIn.grantScopes = null;
  });
  afterAll(async () => {
    const verifiers = standIn.verifiersSeen.filter(Boolean);
    for (const host of hosts) {
      const stored = host.dbFile === null ? await databaseText(host.store) : databaseBytes(host.dbFile);
      for (const text of [stored, host.logs(), ...errorTexts]) {
        expect(text).not.toContain(CANARY);
        for (const v of verifiers) expect(text).not.toContain(v);
      }
      await host.close();
    }
    await standIn.stop();
  });
  /** Another host (e.g. a second process on the same database) to scan and close at the end. */
  const track = <H extends TestHost>(host: H): H => {
    hosts.push(host);
    return host;
  };
  return {
    standIn,
    errorTexts,
    track,
    target,
    /** A host on the stand-in, scanned and closed at the end (on a new database unless `opts.dataDir`). */
    newHost: async (opts: Parameters<typeof openTestHost>[1] = {}) => track(opts.dataDir ? await openTestHost(standIn, opts) : await openOn(await target.create(), opts)),
    /** Where `host`'s database is: open it again for a second process on the same store. */
    databaseOf: (host: Host): DatabaseTarget => databases.get(host)!,
    /** Another host on `host`'s database (another process, as far as leases and locks can tell). */
    sameDatabaseHost: async (host: Host, opts: Parameters<typeof openTestHost>[1] = {}) => track(await openOn(databases.get(host)!, opts)),
    /** A host with a connected shop (the stand-in's tokens). */
    connectedHost: async (shop: string) => {
      const host = track(await openOn(await target.create()));
      const connectionId = await connectShop(host, shop);
      return { host, connectionId };
    },
    refreshRequests: (shop: string) => standIn.tokenRequests().filter((r) => r.host === shop && r.body.grant_type === "refresh_token"),
  };
}
