// backfill keys create (in process) and backfill serve (a child process, so SIGTERM is a
// real signal): the server answers /health, guards the JSON API with the new key, and
// stops cleanly.
import { createServer, type AddressInfo } from "node:net";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { openHost, silentLogger, staticConnectorRegistry, verifyApiKey } from "@backfill-io/host";
import { databaseFileTexts, inProcessCli } from "./in-process-cli.js";
import { cliChild } from "./cli-child.js";

const dataDir = mkdtempSync(join(tmpdir(), "backfill-cli-serve-"));

const { cli } = inProcessCli(dataDir);

let key = "";

describe("backfill keys create and serve", () => {
  it("keys create prints the key once; only its hash is stored and it verifies", async () => {
    const plain = await cli(["keys", "create", "--name", "ci"]);
    expect(plain.code, plain.err).toBe(0);
    expect(plain.out).toMatch(/^bfk_[A-Za-z0-9_-]{43}\n$/);
    expect(plain.err).toContain("it is not shown again");
    const json = JSON.parse((await cli(["keys", "create", "--name", "billing", "--json"])).out) as { id: string; name: string; key: string; prefix: string };
    expect(json).toMatchObject({ name: "billing", id: expect.stringMatching(/^key_/) as string });
    expect(json.key.startsWith(json.prefix)).toBe(true);
    key = json.key;

    const host = await openHost({ dataDir, connectors: staticConnectorRegistry([]), logger: silentLogger });
    try {
      expect(await verifyApiKey(host.store, `Bearer ${key}`)).toBe(json.id);
      expect(await verifyApiKey(host.store, `Bearer ${plain.out.trim()}`)).toMatch(/^key_/);
      expect(await verifyApiKey(host.store, "Bearer bfk_not-a-key")).toBeNull();
    } finally {
      await host.close();
    }
    for (const text of databaseFileTexts(dataDir)) expect(text).not.toContain(key);
    expect((await cli(["keys", "create", "--name", " "])).err).toContain("fix: e.g. --name billing-sync");
  });

  it("serve starts, answers /health and the guarded JSON API, and stops on SIGTERM", async () => {
    const serve = cliChild(["--data-dir", dataDir, "serve", "--port", "0", "--interval", "1h"]);
    const { child, exited } = serve;
    try {
      const url = (await serve.waitFor(/listening on (http:\/\/127\.0\.0\.1:\d+)[\s\S]*Ctrl-C to stop/))[1]!;
      const out = serve.out();
      expect(out).toContain(`health:         ${url}/health`);
      expect(out).toContain(`redirect URIs:  ${url}/oauth/callback/<connector>`);
      expect((await fetch(`${url}/oauth/start?connector=shopify&shop_domain=acme`, { redirect: "manual" })).status).toBe(401);
      expect(await (await fetch(`${url}/health`)).json()).toEqual({ ok: true });
      expect((await fetch(`${url}/api/connections`)).status).toBe(401);
      const listed = await fetch(`${url}/api/connections`, { headers: { authorization: `Bearer ${key}` } });
      expect(listed.status).toBe(200);
      expect(await listed.json()).toEqual({ connections: [] });
    } finally {
      child.kill("SIGTERM");
    }
    expect(await exited).toBe(0);
    expect(serve.err()).toContain("SIGTERM: stopping");
    expect(serve.err()).toContain("stopped");
    expect(serve.out() + serve.err()).not.toContain(key);
  });

  it("serve on a port in use fails in one line with the fix, and a bad --public-url too", async () => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, "127.0.0.1", resolve));
    const busy = (taken.address() as AddressInfo).port;
    try {
      const run = await cli(["serve", "--port", String(busy)]);
      expect(run.code).toBe(1);
      expect(run.err).toBe(`error: port ${busy} on 127.0.0.1 is in use\nfix: pass another one with --port (and register that redirect URI with the provider)\n`);
    } finally {
      taken.close();
    }
    const bad = await cli(["serve", "--public-url", "https://x.example/path"]);
    expect(bad.err).toContain("fix: pass e.g. --public-url https://connect.example.com");
  });

  it("serve with a bad interval fails in one line with the fix", async () => {
    const run = await cli(["serve", "--interval", "often"]);
    expect(run.code).toBe(1);
    expect(run.err.trim().split("\n")).toEqual(['error: "often" is not a duration', "fix: use a number and a unit: 30m, 12h, 7d, 2w"]);
  });
});
