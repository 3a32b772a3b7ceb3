// Host API keys over the JSON API of a real server: create (shown once), list, revoke;
// a revoked key stops working on the very next request, whether it was revoked through
// the API or through the store from another connection (what `backfill keys revoke` does).
import { mkdtempSync, readFileSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openHost, staticConnectorRegistry, type Host, type HostLogger } from "../../src/index.js";
import { RouteRunner } from "../../src/runner/index.js";
import { createApiKey, startHostServer, type RunningServer } from "../../src/server/index.js";

const dataDir = mkdtempSync(join(tmpdir(), "backfill-api-keys-"));
const logLines: string[] = [];
const at = (level: string) => (message: string, fields?: Record<string, unknown>) => void logLines.push(`${level} ${message} ${JSON.stringify(fields ?? {})}`);
const logger: HostLogger = { debug: at("debug"), info: at("info"), warn: at("warn"), error: at("error") };
let host: Host;
/** A second host on the same data dir: its own SQLite connection, as another process has. */
let other: Host;
let runner: RouteRunner;
let server: RunningServer;
let adminKey: { id: string; key: string };
const issued: string[] = [];

beforeAll(async () => {
  host = await openHost({ dataDir, logger, connectors: staticConnectorRegistry([]) });
  other = await openHost({ dataDir, logger, connectors: staticConnectorRegistry([]) });
  runner = new RouteRunner();
  server = await startHostServer({ host, runner, port: 0 });
  adminKey = await createApiKey(host.store, "admin");
  issued.push(adminKey.key);
});

afterAll(async () => {
  await server.close();
  await runner.close();
  await other.close();
  await host.close();
});

const bearer = (key: string) => ({ authorization: `Bearer ${key}` });

async function createOverApi(name: string): Promise<{ id: string; key: string; prefix: string }> {
  const res = await fetch(`${server.url}/api/keys`, { method: "POST", headers: { ...bearer(adminKey.key), "content-type": "application/json" }, body: JSON.stringify({ name }) });
  expect(res.status).toBe(201);
  const body = (await res.json()) as { id: string; name: string; prefix: string; createdAt: number; revokedAt: null; key: string };
  expect(body).toMatchObject({ name, revokedAt: null, key: expect.stringMatching(/^bfk_[A-Za-z0-9_-]{43}$/) });
  issued.push(body.key);
  return { id: body.id, key: body.key, prefix: body.prefix };
}

describe("host API keys over the JSON API", () => {
  it("every /api/keys route needs a live host API key", async () => {
    for (const [method, path] of [
      ["GET", "/api/keys"],
      ["POST", "/api/keys"],
      ["DELETE", `/api/keys/${adminKey.id}`],
    ] as const) {
      const res = await fetch(`${server.url}${path}`, { method, headers: bearer("bfk_not-a-key") });
      expect(res.status, `${method} ${path}`).toBe(401);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe("unauthorized");
    }
    expect(await host.store.apiKeys.list()).toHaveLength(1);
  });

  it("POST shows the new key once; GET lists id, name, prefix, created, last used, revoked, never the key or its hash", async () => {
    const created = await createOverApi("billing-sync");
    expect(created.key.startsWith(created.prefix)).toBe(true);
    const works = await fetch(`${server.url}/api/keys`, { headers: bearer(created.key) });
    expect(works.status).toBe(200);
    const text = await works.text();
    expect(text).not.toContain(created.key);
    const { keys } = JSON.parse(text) as { keys: Record<string, unknown>[] };
    const row = keys.find((k) => k.id === created.id)!;
    expect(Object.keys(row).sort()).toEqual(["createdAt", "id", "lastUsedAt", "name", "prefix", "revokedAt"]);
    expect(row).toMatchObject({ name: "billing-sync", prefix: created.prefix, revokedAt: null });
    expect(typeof row.lastUsedAt).toBe("number");
    expect(text).not.toMatch(/[0-9a-f]{64}/);
  });

  it("a bad name is refused with a stable code and nothing is written", async () => {
    const before = (await host.store.apiKeys.list()).map((k) => k.id);
    for (const body of [JSON.stringify({ name: "" }), JSON.stringify({ name: "x".repeat(101) }), "{not json", JSON.stringify({ name: 7 })]) {
      const res = await fetch(`${server.url}/api/keys`, { method: "POST", headers: { ...bearer(adminKey.key), "content-type": "application/json" }, body });
      expect(res.status, body).toBe(400);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe("invalid_api_key_name");
    }
    expect((await host.store.apiKeys.list()).map((k) => k.id)).toEqual(before);
  });

  it("a key revoked through the API is refused on the next request", async () => {
    const victim = await createOverApi("to-revoke");
    expect((await fetch(`${server.url}/api/keys`, { headers: bearer(victim.key) })).status).toBe(200);
    const res = await fetch(`${server.url}/api/keys/${victim.id}`, { method: "DELETE", headers: bearer(adminKey.key) });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { key: { id: string; revokedAt: number } }).key).toMatchObject({ id: victim.id, revokedAt: expect.any(Number) });
    expect((await fetch(`${server.url}/api/keys`, { headers: bearer(victim.key) })).status).toBe(401);
    expect((await fetch(`${server.url}/api/connections`, { headers: bearer(victim.key) })).status).toBe(401);
  });

  it("a key revoked through the store by another connection (the CLI) is refused on the next request", async () => {
    const victim = await createOverApi("revoked-elsewhere");
    expect((await fetch(`${server.url}/api/connections`, { headers: bearer(victim.key) })).status).toBe(200);
    await other.store.apiKeys.revoke(victim.id);
    expect((await fetch(`${server.url}/api/connections`, { headers: bearer(victim.key) })).status).toBe(401);
  });

  it("unknown and already revoked ids get clear errors; a key cannot revoke itself", async () => {
    const unknown = await fetch(`${server.url}/api/keys/key_nope`, { method: "DELETE", headers: bearer(adminKey.key) });
    expect(unknown.status).toBe(404);
    expect(((await unknown.json()) as { error: { code: string } }).error.code).toBe("api_key_not_found");

    const victim = await createOverApi("twice");
    expect((await fetch(`${server.url}/api/keys/${victim.id}`, { method: "DELETE", headers: bearer(adminKey.key) })).status).toBe(200);
    const again = await fetch(`${server.url}/api/keys/${victim.id}`, { method: "DELETE", headers: bearer(adminKey.key) });
    expect(again.status).toBe(409);
    expect(((await again.json()) as { error: { code: string } }).error.code).toBe("api_key_already_revoked");

    const self = await fetch(`${server.url}/api/keys/${adminKey.id}`, { method: "DELETE", headers: bearer(adminKey.key) });
    expect(self.status).toBe(409);
    const error = ((await self.json()) as { error: { code: string; message: string; fix?: string } }).error;
    expect(error.code).toBe("api_key_self_revoke");
    // The fix is its own field of the error body (it named a CLI command inside the message before).
    expect(error.fix).toContain("revoke it with another host API key");
    expect((await fetch(`${server.url}/api/keys`, { headers: bearer(adminKey.key) })).status).toBe(200);
  });

  it("no key reached the logs or the database files", async () => {
    await host.close();
    await other.close();
    const files = readdirSync(dataDir)
      .filter((f) => f.startsWith("backfill.db"))
      .map((f) => readFileSync(join(dataDir, f)).toString("latin1"));
    // Reopen for afterAll's close (closing twice is harmless for the server, not for the host).
    host = await openHost({ dataDir, logger, connectors: staticConnectorRegistry([]) });
    other = await openHost({ dataDir, logger, connectors: staticConnectorRegistry([]) });
    expect(issued.length).toBeGreaterThan(4);
    for (const key of issued) {
      for (const text of [...logLines, ...files]) expect(text).not.toContain(key);
    }
  });
});
