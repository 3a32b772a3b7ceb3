// Test support: a PostConnectRunner that runs the route in THIS process, binding the SDK
// with a minimal HostBinding (settings, secrets, the fresh access token, HTTP through the
// manifest's permissions) for the call, so the OAuth flow tests need no worker threads.
// The host itself uses the route runner (createPostConnectRunner); ingest, checkpoints
// and records are refused here (a postConnect route only proves the token and names the account).
//
// The SDK is synchronous, so HTTP needs a synchronous transport: `syncHttp`, by default
// a child process (spawnSync) that performs the request, provider routes applied.
import { spawnSync } from "node:child_process";
import { pathToFileURL } from "node:url";
import { BackfillError, HOST_CAPABILITY_MISSING, CONNECTION_NOT_FOUND, CONNECTOR_NOT_FOUND, ReauthRequiredError, redact, routeFile, type HttpResponse } from "@backfill-io/sdk";
import { bindHost, isRoute, type HostBinding, type HttpRequestSpec } from "@backfill-io/sdk/host";
import { assertHttpAllowed, assertSecretReadable, assertSettingReadable, assertTokenHost } from "@backfill-io/sdk/policy";
import type { Host } from "../src/app/open-host.js";
import { connectionSecret } from "../src/app/settings.js";
import { providerRouter, type ProviderRoute } from "../src/http/provider-routes.js";
import type { PostConnectRunner } from "../src/oauth/post-connect.js";

export type SyncHttp = (request: HttpRequestSpec) => HttpResponse;

const CHILD_SCRIPT = `
const chunks = [];
process.stdin.on("data", (c) => chunks.push(c));
process.stdin.on("end", () => {
  const req = JSON.parse(Buffer.concat(chunks).toString("utf8"));
  const url = new URL(req.url);
  const mod = url.protocol === "https:" ? require("node:https") : require("node:http");
  const r = mod.request(url, { method: req.method, headers: req.headers, timeout: req.timeoutMs }, (res) => {
    const body = [];
    let size = 0;
    res.on("data", (c) => { size += c.length; if (size > 10485760) { res.destroy(); fail("response too large"); } else body.push(c); });
    res.on("end", () => process.stdout.write(JSON.stringify({ status: res.statusCode, headers: res.headers, bodyText: Buffer.concat(body).toString("utf8") })));
  });
  r.on("timeout", () => { r.destroy(); fail("timed out"); });
  r.on("error", (e) => fail(e.code || e.message));
  function fail(m) { process.stdout.write(JSON.stringify({ error: String(m) })); process.exit(0); }
  if (req.body !== undefined) r.write(req.body);
  r.end();
});`;

/** Synchronous HTTP through a child process (blocks this thread; dev/CLI only). */
export function childProcessSyncHttp(opts: { providerRoutes?: readonly ProviderRoute[] } = {}): SyncHttp {
  const route = providerRouter(opts.providerRoutes ?? []);
  return (request) => {
    const target = route(new URL(request.url));
    const headers: Record<string, string> = { ...lower(request.headers) };
    let body: string | undefined;
    if (request.body !== undefined) {
      body = typeof request.body === "string" ? request.body : JSON.stringify(request.body);
      if (typeof request.body !== "string") headers["content-type"] ??= "application/json";
    }
    if (target.originalHost) {
      headers.host = target.originalHost;
      headers["x-forwarded-host"] = target.originalHost;
    }
    const input = JSON.stringify({ method: request.method, url: target.url.toString(), headers, body, timeoutMs: request.timeoutMs ?? 30_000 });
    const out = spawnSync(process.execPath, ["-e", CHILD_SCRIPT], { input, encoding: "utf8", timeout: (request.timeoutMs ?? 30_000) + 5_000, maxBuffer: 16 * 1024 * 1024 });
    const parsed = JSON.parse(out.stdout || '{"error":"no answer"}') as { status?: number; headers?: Record<string, string | string[]>; bodyText?: string; error?: string };
    if (parsed.error || parsed.status === undefined) throw new BackfillError("http_error", `Http ${request.method} ${new URL(request.url).host}: ${parsed.error ?? "failed"}`);
    const resHeaders = Object.fromEntries(Object.entries(parsed.headers ?? {}).map(([k, v]) => [k, Array.isArray(v) ? v.join(", ") : v]));
    return { status: parsed.status, ok: parsed.status >= 200 && parsed.status < 300, headers: resHeaders, body: parseBody(parsed.bodyText ?? "", resHeaders["content-type"]) };
  };
}

function lower(h: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(h).map(([k, v]) => [k.toLowerCase(), v]));
}

function parseBody(text: string, contentType: string | undefined): unknown {
  if (contentType?.includes("json")) {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      return text;
    }
  }
  return text;
}

function refused(call: string): never {
  throw new BackfillError(HOST_CAPABILITY_MISSING, `${call} is not available in a postConnect route`);
}

export function inProcessPostConnectRunner(host: Pick<Host, "store" | "vault" | "tokens" | "connectors" | "logger">, opts: { syncHttp?: SyncHttp } = {}): PostConnectRunner {
  const syncHttp = opts.syncHttp ?? childProcessSyncHttp();
  return async (connectionId, ref, candidate) => {
    const connection = await host.store.connections.get(connectionId);
    if (!connection) throw new BackfillError(CONNECTION_NOT_FOUND, `no connection ${connectionId}`);
    const connector = await host.connectors.get(connection.connector_key);
    if (!connector) throw new BackfillError(CONNECTOR_NOT_FOUND, `connector ${connection.connector_key} is not installed`);
    const manifest = connector.manifest;
    // During a callback the new token and settings are not stored yet (the candidate).
    const settings = candidate?.settings ?? connection.settings;
    const secrets: Record<string, string | undefined> = {};
    for (const name of Object.keys(manifest.permissions.secrets)) secrets[name] = await connectionSecret(host.store, host.vault, connectionId, name);
    // The token is fetched before the route runs (the SDK call is synchronous).
    const token = candidate
      ? { ok: true as const, t: candidate.accessToken }
      : await host.tokens.accessToken(connectionId, { minTtlSeconds: 0 }).then(
          (t) => ({ ok: true as const, t }),
          (e: unknown) => ({ ok: false as const, e }),
        );
    const expiresAt = candidate ? candidate.expiresAt : ((await host.store.tokens.get(connectionId))?.expires_at ?? null);
    const accessToken = (minTtlSeconds = 0): string => {
      if (!token.ok) throw token.e;
      if (expiresAt !== null && expiresAt - Date.now() <= minTtlSeconds * 1000) throw new ReauthRequiredError("expired");
      return token.t;
    };
    const binding: HostBinding = {
      manifest,
      getSetting(name) {
        assertSettingReadable(manifest, name);
        return settings[name];
      },
      getSecret(name) {
        assertSecretReadable(manifest, name);
        return secrets[name];
      },
      accessToken: (o) => accessToken(o.minTtlSeconds),
      http(request) {
        const url = assertHttpAllowed(request.url, manifest.permissions.http);
        const headers = { ...request.headers };
        if (request.auth?.oauth) {
          assertTokenHost(url, manifest, settings);
          headers.Authorization = `Bearer ${accessToken(request.auth.oauth.minTtlSeconds)}`;
        }
        return syncHttp({ ...request, headers });
      },
      connectionInfo: () => ({
        connectionId,
        connectorKey: connection.connector_key,
        providerAccountId: connection.provider_account_id ?? undefined,
        providerAccountName: connection.provider_account_name ?? undefined,
      }),
      ingest: () => refused("ingest.batch"),
      getCheckpoint: () => refused("Checkpoint.get"),
      setCheckpoint: () => refused("Checkpoint.set"),
      redactRecords: () => refused("Records.redact"),
      setConnectionStatus: () => refused("Connection.markRevoked"),
      log(level, message, fields) {
        host.logger[level](redact(message), { connectionId, route: ref.route, ...(redact(fields) ?? {}) });
      },
    };
    const file = routeFile(connector.routesDir, ref.route);
    if (!file) throw new BackfillError("invalid_request", `no route file for ${ref.route} under ${connector.routesDir}`);
    const mod = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
    const handler = mod[ref.method];
    if (!isRoute(handler)) throw new BackfillError("invalid_request", `${ref.route} exports no ${ref.method} route (wrap it with api())`);
    const restore = bindHost(binding);
    try {
      const response = await handler({ method: ref.method, path: ref.route, headers: {}, query: {} });
      const text = await response.text();
      let body: unknown = text;
      try {
        body = JSON.parse(text);
      } catch {
        // not JSON: keep the text
      }
      return { status: response.status, body };
    } finally {
      restore();
    }
  };
}
