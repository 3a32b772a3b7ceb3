// The new-connector dev loop as a user runs it, with the built CLI under plain node (no
// vitest, no TypeScript loader of its own, no BACKFILL_CONNECTOR_DIRS): a connector made by
// `backfill new` in a workspace is connected by key from its TypeScript source against a
// local OAuth server, dry-run (nothing committed; --save writes fixtures and a replay test
// that passes), and synced; a connector given to connect by directory is remembered for sync.
import { spawn } from "node:child_process";
import { createServer, type Server } from "node:http";
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { authorizeCliConnect } from "./in-process-cli.js";
import { generatedConnector, linkConnectorDeps, REPO, tempWorkspace } from "./temp-workspace.js";

const BIN = join(REPO, "packages", "cli", "bin", "backfill.js");
const ACCESS = "canary-devloop-access-token-4b7e1c9d";
const REFRESH = "canary-devloop-refresh-token-0f2a6e3b";
const CLIENT_SECRET = "canary-devloop-client-secret-91d3";
const workspace = tempWorkspace();
const dataDir = mkdtempSync(join(tmpdir(), "backfill-devloop-data-"));
let provider: Server;
let providerOrigin = "";
const seen: string[] = [];

/** The provider: OAuth (code + PKCE) and a two-page customers API; /me echoes the token (to prove it is never saved). */
function startProvider(): Promise<void> {
  provider = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://x");
    let raw = "";
    req.on("data", (c: Buffer) => (raw += c.toString()));
    req.on("end", () => {
      seen.push(`${req.method} ${url.pathname}`);
      const json = (status: number, body: unknown) => res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
      if (url.pathname === "/oauth/authorize") {
        const back = new URL(url.searchParams.get("redirect_uri")!);
        back.searchParams.set("code", "canary-devloop-code");
        back.searchParams.set("state", url.searchParams.get("state")!);
        res.writeHead(302, { location: back.toString() }).end();
      } else if (url.pathname === "/oauth/token") {
        const form = new URLSearchParams(raw);
        const ok = form.get("client_secret") === CLIENT_SECRET && form.get("code") === "canary-devloop-code" && !!form.get("code_verifier");
        json(ok ? 200 : 400, ok ? { access_token: ACCESS, refresh_token: REFRESH, expires_in: 3600, scope: "customers.read account.read" } : { error: "invalid_grant" });
      } else if (req.headers.authorization !== `Bearer ${ACCESS}`) json(401, { error: "invalid_token" });
      else if (url.pathname === "/api/v1/me") json(200, { id: "acct_77", name: "Acme Test Co", echoed_token: ACCESS });
      else if (url.pathname === "/api/v1/customers" && !url.searchParams.get("cursor")) {
        json(200, { customers: [{ id: "cus_1", name: "Ada", email: "ada@example.com", updated_at: "2026-02-01T00:00:00Z" }], next_cursor: "c2" });
      } else if (url.pathname === "/api/v1/customers")
        json(200, { customers: [{ id: "cus_2", name: "Grace", email: "grace@example.com", updated_at: "2026-02-02T00:00:00Z" }], next_cursor: null });
      else json(404, { error: "not_found" });
    });
  });
  return new Promise((r) =>
    provider.listen(0, "127.0.0.1", () => {
      providerOrigin = `http://127.0.0.1:${(provider.address() as { port: number }).port}`;
      r();
    }),
  );
}

type Run = { code: number; out: string; err: string };

/** `backfill <args>` as a child process in the temp workspace; `onLine` sees stdout lines as they come. */
function backfill(args: string[], opts: { stdin?: string; onLine?: (line: string) => void } = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const env: NodeJS.ProcessEnv = { ...process.env, BACKFILL_PROVIDER_ROUTES: `https://acme.example.com=${providerOrigin},https://widget.example.com=${providerOrigin}` };
    for (const name of ["VITEST", "VITEST_POOL_ID", "VITEST_WORKER_ID", "NODE_OPTIONS", "BACKFILL_CONNECTOR_DIRS", "TSX"]) delete env[name];
    const child = spawn(process.execPath, [BIN, "--data-dir", dataDir, ...args], { cwd: workspace.root, env });
    let out = "";
    let err = "";
    child.stdout.on("data", (c: Buffer) => {
      const text = c.toString();
      out += text;
      for (const line of text.split("\n")) if (line) opts.onLine?.(line);
    });
    child.stderr.on("data", (c: Buffer) => (err += c.toString()));
    child.once("error", reject);
    child.once("exit", (code) => resolve({ code: code ?? 1, out, err }));
    child.stdin.end(opts.stdin ?? "");
  });
}

async function connect(target: string): Promise<Run> {
  let browser: Promise<void> | undefined;
  const run = await backfill(["connect", target, "--port", "0", "--json"], {
    onLine: (line) => {
      if (!line.startsWith("http://127.0.0.1:")) return;
      browser = (async () => {
        const { callbackUrl, cookie } = await authorizeCliConnect(line.trim(), providerOrigin);
        await (await fetch(callbackUrl, { headers: { cookie } })).text();
      })();
    },
  });
  await browser;
  return run;
}

let acmeDir = "";
beforeAll(async () => {
  await startProvider();
  acmeDir = generatedConnector(workspace.root, "acme");
});
afterAll(async () => {
  await new Promise<void>((r) => provider.close(() => r()));
  workspace.remove();
  rmSync(dataDir, { recursive: true, force: true });
});

// Each step spawns the CLI from source (tsx in the process and in its route worker): seconds of CPU
// each, several times that while turbo runs the host's suites beside this one. The timeout is a
// hang guard, not a speed check.
describe("dev loop: backfill new → connect → dryrun → sync, from source", { timeout: 90_000 }, () => {
  it("connect <key> finds the workspace connector and runs its TypeScript with no build", async () => {
    expect(existsSync(join(acmeDir, "dist"))).toBe(false);
    const set = await backfill(["credentials", "set", "acme_app", "--client-id", "acme-client"], { stdin: CLIENT_SECRET });
    expect(set.code, set.err).toBe(0);
    const run = await connect("acme");
    expect(run.code, run.err).toBe(0);
    expect(run.err).not.toMatch(/^\{"level"/m);
    const result = JSON.parse(run.out.split("\n").slice(1).join("\n")) as { connectorKey: string; providerAccount: { id: string } };
    expect(result).toMatchObject({ connectorKey: "acme", providerAccount: { id: "acct_77" } });
  });

  it("dryrun prints the records and what would change, commits nothing; --save writes fixtures without the token and a replay test that passes", async () => {
    const run = await backfill(["dryrun", "acme", "customers", "--pages", "2", "--save", join(acmeDir, "test", "fixtures")]);
    expect(run.code, run.err).toBe(0);
    expect(run.out).toMatch(/insert\s*│\s*customer\s*│\s*acme:customer:cus_1/);
    expect(run.out).toContain("2 page(s), 2 record(s): a sync would insert 2");
    expect(run.out).toContain("Nothing was committed.");
    const records = await backfill(["records", "customer", "--json"]);
    expect((JSON.parse(records.out) as { records: unknown[] }).records).toEqual([]);

    const fixture = readFileSync(join(acmeDir, "test", "fixtures", "dryrun-customers.json"), "utf8");
    expect(fixture).toContain("cus_2");
    for (const secret of [ACCESS, REFRESH, CLIENT_SECRET]) expect(fixture).not.toContain(secret);
    expect(existsSync(join(acmeDir, "test", "customers.replay.test.ts"))).toBe(true);
    const vitest = join(REPO, "node_modules", "vitest", "vitest.mjs");
    const replay = await new Promise<number>((resolve) => {
      const child = spawn(process.execPath, [vitest, "run", "test/customers.replay.test.ts"], { cwd: acmeDir, stdio: "ignore", env: { ...process.env, VITEST: undefined } });
      child.once("exit", (code) => resolve(code ?? 1));
    });
    expect(replay).toBe(0);
  });

  it("sync <key> then stores what the dry run showed", async () => {
    const run = await backfill(["sync", "acme", "--json"]);
    expect(run.code, run.err).toBe(0);
    expect(JSON.parse(run.out)).toEqual([expect.objectContaining({ stream: "customers", outcome: "succeeded", accepted: 2 })]);
    const again = await backfill(["dryrun", "acme", "customers"]);
    expect(again.out).toMatch(/unchanged\s*│\s*customer/);
  });

  it("a connector given to connect by directory is remembered: sync <key> needs no BACKFILL_CONNECTOR_DIRS", async () => {
    const outside = join(workspace.root, "elsewhere", "widget");
    cpSync(generatedConnector(workspace.root, "widget"), outside, { recursive: true, verbatimSymlinks: true });
    rmSync(join(workspace.root, "connectors", "widget"), { recursive: true, force: true });
    rmSync(join(outside, "node_modules"), { recursive: true, force: true });
    linkConnectorDeps(outside);
    await backfill(["credentials", "set", "widget_app", "--client-id", "widget-client"], { stdin: CLIENT_SECRET });
    const before = await backfill(["sync", "widget"]);
    expect(before.code).toBe(1);
    const run = await connect("./elsewhere/widget");
    expect(run.code, run.err).toBe(0);
    const sync = await backfill(["sync", "widget", "--json"]);
    expect(sync.code, sync.err).toBe(0);
    expect(JSON.parse(sync.out)).toEqual([expect.objectContaining({ outcome: "succeeded", accepted: 2 })]);
  });

  it("no secret reached a file the CLI wrote outside the data dir's database", () => {
    const written = readFileSync(join(dataDir, "connectors.json"), "utf8");
    for (const secret of [ACCESS, REFRESH, CLIENT_SECRET]) expect(written).not.toContain(secret);
  });
});
