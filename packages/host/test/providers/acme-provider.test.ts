// A provider the SDK, host and CLI have never heard of, end to end: the "acme" fixture
// connector (acme-connector/) brings its quirks as a plug-in (tenant normalizer, callback
// signature verifier, token shape) and as manifest data (a DELETE + JSON revocation with
// `Authorization: AcmeApp <secret>`). Acme is a real HTTP server on 127.0.0.1; the host
// loads the connector through its registry (which registers the plug-in), connects through
// the authorization-code flow, runs postConnect in a real worker, and revokes on disconnect.
import { createServer, type IncomingMessage, type Server } from "node:http";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { randomBytes } from "node:crypto";
import { Writable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { defineProviderPlugin, redact, PROVIDER_PLUGIN_CONFLICT } from "@backfill-io/sdk";
import { openHost, type Host } from "../../src/app/open-host.js";
import { staticConnectorRegistry, workspaceConnectorRegistry } from "../../src/app/connectors.js";
import { createHostLogger } from "../../src/app/logger.js";
import { RouteRunner } from "../../src/runner/index.js";
import { createPostConnectRunner } from "../../src/app/runner-services.js";
import { disconnect } from "../../src/tokens/revoke.js";
import { readTokens } from "../../src/tokens/token-store.js";
import { databaseBytes, followAuthorization } from "../oauth-fixtures.js";
import { acmeCallbackSignature } from "./acme-connector/src/provider/index.js";

const CONNECTOR_DIR = fileURLToPath(new URL("./acme-connector", import.meta.url));
const REDIRECT_URI = "http://127.0.0.1:8976/oauth/callback/acme";
const token = (kind: "at" | "rt") => `acme_${kind}_${randomBytes(12).toString("hex")}`;

type Seen = { method: string; path: string; headers: IncomingMessage["headers"]; body: string };

/** Acme's OAuth server and API: signs its callback, rotates nothing, revokes a grant by DELETE. */
class AcmeServer {
  server!: Server;
  origin = "";
  readonly clientId = "acme-client-1";
  readonly clientSecret = `acme-secret-${randomBytes(8).toString("hex")}`;
  readonly seen: Seen[] = [];
  readonly grants: { access: string; refresh: string; revoked: boolean }[] = [];
  private readonly codes = new Set<string>();

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        const answer = this.handle(req, Buffer.concat(chunks).toString("utf8"));
        res.writeHead(answer.status, { "content-type": "application/json", ...(answer.headers ?? {}) });
        res.end(answer.body === undefined ? "" : JSON.stringify(answer.body));
      });
    });
    await new Promise<void>((r) => this.server.listen(0, "127.0.0.1", r));
    this.origin = `http://127.0.0.1:${(this.server.address() as { port: number }).port}`;
    return this;
  }

  stop(): Promise<void> {
    return new Promise((r) => this.server.close(() => r()));
  }

  get providerRoutes() {
    return [{ match: "https://*.acme.example", target: this.origin }];
  }

  private handle(req: IncomingMessage, raw: string): { status: number; body?: unknown; headers?: Record<string, string> } {
    const url = new URL(req.url ?? "/", "http://x");
    const tenant = String(req.headers["x-forwarded-host"] ?? req.headers.host);
    this.seen.push({ method: req.method ?? "GET", path: url.pathname, headers: req.headers, body: raw });
    if (url.pathname === "/oauth/authorize") {
      const code = `code-${randomBytes(8).toString("hex")}`;
      this.codes.add(code);
      const query: Record<string, string> = { code, state: url.searchParams.get("state") ?? "", tenant };
      query.acme_signature = acmeCallbackSignature(query, this.clientSecret);
      const redirect = new URL(url.searchParams.get("redirect_uri")!);
      for (const [k, v] of Object.entries(query)) redirect.searchParams.set(k, v);
      return { status: 302, headers: { location: redirect.toString() } };
    }
    if (url.pathname === "/oauth/token") {
      const form = Object.fromEntries(new URLSearchParams(raw));
      if (form.client_id !== this.clientId || form.client_secret !== this.clientSecret) return { status: 401, body: { error: "invalid_client" } };
      if (form.grant_type !== "authorization_code" || !this.codes.delete(form.code ?? "")) return { status: 400, body: { error: "invalid_grant" } };
      const grant = { access: token("at"), refresh: token("rt"), revoked: false };
      this.grants.push(grant);
      return { status: 200, body: { access_token: grant.access, refresh_token: grant.refresh, expires_in: 3600, scope: "orders:read" } };
    }
    if (url.pathname === "/v1/me") {
      const live = this.grants.find((g) => `Bearer ${g.access}` === req.headers.authorization && !g.revoked);
      return live ? { status: 200, body: { account: { id: "acct-42", name: "Globex Corp" } } } : { status: 401, body: { error: "invalid_token" } };
    }
    if (url.pathname === "/v1/grants" && req.method === "DELETE") {
      const body = JSON.parse(raw || "{}") as { app?: string; grant?: string };
      const grant = this.grants.find((g) => g.refresh === body.grant);
      if (req.headers.authorization !== `AcmeApp ${this.clientSecret}` || body.app !== this.clientId || !grant) return { status: 401, body: { error: "unauthorized" } };
      grant.revoked = true;
      return { status: 204 };
    }
    return { status: 404, body: { error: "not_found" } };
  }
}

/** Collects the host's log lines (scanned for secrets at the end). */
function logSink(): Writable {
  return new Writable({
    write(chunk: Buffer, _enc, cb) {
      logs += chunk.toString("utf8");
      cb();
    },
  });
}

const acme = new AcmeServer();
let host: Host;
let runner: RouteRunner;
let logs = "";

beforeAll(async () => {
  await acme.start();
  runner = new RouteRunner();
  const ref: { host?: Host } = {};
  host = await openHost({
    dataDir: mkdtempSync(join(tmpdir(), "backfill-acme-")),
    logger: createHostLogger({ level: "debug", destination: logSink() }),
    // The real loader: the plug-in comes from the connector's backfill.config.ts export.
    connectors: workspaceConnectorRegistry({ resolveFrom: [], connectorDirs: [CONNECTOR_DIR] }),
    providerRoutes: acme.providerRoutes,
    postConnect: (id, route, candidate) => createPostConnectRunner(runner, () => ref.host!)(id, route, candidate),
  });
  ref.host = host;
  await host.credentials.set("acme_app", { clientId: acme.clientId, clientSecret: acme.clientSecret });
});

afterAll(async () => {
  await runner.close();
  await host.close();
  await acme.stop();
});

async function startAcme(tenant = "Globex") {
  const connector = (await host.connectors.get("acme"))!;
  const started = await host.oauth.startAuthorization({ manifest: connector.manifest, settings: { tenant }, redirectUri: REDIRECT_URI });
  return followAuthorization(started.authorizationUrl, acme.providerRoutes);
}

describe("a new provider through plug-in and manifest data alone", () => {
  it("startup: preloading the connectors registers its plug-in (verifier, normalizer, scope words, token shape)", async () => {
    const loaded = await host.connectors.preload!();
    expect(loaded.map((c) => c.key)).toEqual(["acme"]);
    expect(host.providers.callbackVerifier("acmeSignature")).toBeDefined();
    expect(host.providers.hostNormalizer("acmeTenantHost")).toBeDefined();
    expect(host.providers.describeScope("acme", "orders:read")).toBe("Read your Acme orders");
    expect(redact("upstream said acme_at_0123456789abcdef")).toBe("upstream said acme_at_[REDACTED]");
  });

  it("connect: the tenant is normalized, the callback signature verified, the code exchanged, postConnect proves the token", async () => {
    const query = await startAcme();
    expect(query.tenant).toBe("globex.acme.example");
    const done = await host.oauth.completeAuthorization(query, { connectorKey: "acme" });
    expect(done).toMatchObject({ connectorKey: "acme", status: "active", providerAccount: { id: "acct-42", name: "Globex Corp" }, scopes: ["orders:read"] });
    const stored = (await readTokens(host.store, host.vault, done.connectionId))!;
    expect(stored.accessToken).toBe(acme.grants.at(-1)!.access);
    expect(acme.seen.some((r) => r.path === "/v1/me")).toBe(true);

    // revoke: the manifest's odd shape, sent to Acme's real endpoint
    const result = await disconnect(host.tokens, done.connectionId);
    expect(result).toEqual({ connectionId: done.connectionId, revoked: true, tokensDeleted: true });
    const revocation = acme.seen.at(-1)!;
    expect(revocation).toMatchObject({ method: "DELETE", path: "/v1/grants" });
    expect(revocation.headers["content-type"]).toBe("application/json");
    expect(JSON.parse(revocation.body)).toEqual({ app: acme.clientId, grant: stored.refreshToken });
    expect(acme.grants.at(-1)!.revoked).toBe(true);
    expect(await readTokens(host.store, host.vault, done.connectionId)).toBeUndefined();
  });

  it("attack: a forged callback signature is refused by the plug-in before the code is spent; nothing is written", async () => {
    const query = await startAcme();
    const connectionsBefore = (await host.store.connections.list({})).length;
    const tokenCalls = acme.seen.filter((r) => r.path === "/oauth/token").length;
    const forged = { ...query, acme_signature: acmeCallbackSignature(query, "not-the-client-secret") };
    await expect(host.oauth.completeAuthorization(forged, { connectorKey: "acme" })).rejects.toMatchObject({
      code: "callback_verification_failed",
      details: { verifier: "acmeSignature", reason: "bad_signature" },
    });
    expect(acme.seen.filter((r) => r.path === "/oauth/token").length).toBe(tokenCalls);
    expect((await host.store.connections.list({})).length).toBe(connectionsBefore);
  });

  it("attack: a callback signed for another tenant is refused (tenant_mismatch)", async () => {
    const query = await startAcme("Globex");
    const otherTenant: Record<string, string> = { ...query, tenant: "initech.acme.example" };
    otherTenant.acme_signature = acmeCallbackSignature(otherTenant, acme.clientSecret);
    await expect(host.oauth.completeAuthorization(otherTenant, { connectorKey: "acme" })).rejects.toMatchObject({ details: { reason: "tenant_mismatch" } });
  });

  it("no Acme token or client secret reached the logs or the database in plain text", () => {
    const bytes = databaseBytes(join(host.dataDir, "backfill.db"));
    for (const secret of [acme.clientSecret, ...acme.grants.flatMap((g) => [g.access, g.refresh])]) {
      expect(logs).not.toContain(secret);
      expect(bytes).not.toContain(secret);
    }
  });
});

describe("plug-in registration is closed", () => {
  it("attack: a connector whose plug-in claims another provider's verifier name is refused at load", async () => {
    const impostor = defineProviderPlugin({ provider: "evil", callbackVerifiers: { acmeSignature: () => ({ ok: true }) } });
    const other = await openHost({
      dataDir: mkdtempSync(join(tmpdir(), "backfill-acme-")),
      logger: createHostLogger({ destination: logSink() }),
      connectors: staticConnectorRegistry([{ key: "evil", manifest: (await host.connectors.get("acme"))!.manifest, routesDir: CONNECTOR_DIR, providerPlugin: impostor }]),
      providers: [(await host.connectors.get("acme"))!.providerPlugin!],
    });
    try {
      await expect(other.connectors.get("evil")).rejects.toMatchObject({ code: PROVIDER_PLUGIN_CONFLICT });
      expect(other.providers.callbackVerifier("acmeSignature")).toBe((await host.connectors.get("acme"))!.providerPlugin!.callbackVerifiers!.acmeSignature);
    } finally {
      await other.close();
    }
  });
});
