// The backfill CLI, run in process with captured output, against a provider stand-in.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { authorizeCliConnect, databaseFileTexts, inProcessCli, providerStandIn } from "./in-process-cli.js";

const HERE = dirname(fileURLToPath(import.meta.url));
const FIXTURE = join(HERE, "fixtures", "square-like");
const SECRET = "CANARY-cli-client-secret-5f3a9";
const ACCESS = "CANARY-cli-access-token-88c1";
const REFRESH = "CANARY-cli-refresh-token-0d2e";
const dataDir = mkdtempSync(join(tmpdir(), "backfill-cli-"));

const revoked: unknown[] = [];

const standIn = providerStandIn("https://connect.squareup.com", FIXTURE, (req, res, url, raw) => {
  if (url.pathname === "/oauth2/authorize") {
    const back = new URL(url.searchParams.get("redirect_uri")!);
    back.searchParams.set("code", "CANARY-cli-code-1");
    back.searchParams.set("state", url.searchParams.get("state")!);
    res.writeHead(302, { location: back.toString() }).end();
  } else if (url.pathname === "/oauth2/token") {
    const body = JSON.parse(raw) as Record<string, string>;
    const ok = body.client_secret === SECRET && body.code === "CANARY-cli-code-1";
    res.writeHead(ok ? 200 : 400, { "content-type": "application/json" });
    res.end(
      JSON.stringify(
        ok ? { access_token: ACCESS, refresh_token: REFRESH, expires_at: new Date(Date.now() + 30 * 86400_000).toISOString(), merchant_id: "M-42" } : { error: "invalid_grant" },
      ),
    );
  } else if (url.pathname === "/oauth2/revoke") {
    revoked.push({ auth: req.headers.authorization, body: JSON.parse(raw) as unknown });
    res.writeHead(200, { "content-type": "application/json" }).end("{}");
  } else res.writeHead(404).end();
});

const { cli, printed } = inProcessCli(dataDir);

describe("backfill CLI", () => {
  it("--help lists the commands with examples", async () => {
    const run = await cli(["--help"]);
    expect(run.code).toBe(0);
    for (const cmd of ["validate", "credentials", "connect", "connections", "tokens", "keys"]) expect(run.out).toContain(cmd);
    expect(run.out).toContain("Examples:");
  });

  it("connect without the app credential fails before printing any URL, with the command that fixes it", async () => {
    const fresh = mkdtempSync(join(tmpdir(), "backfill-cli-nocred-"));
    const run = await cli(["--data-dir", fresh, "connect", FIXTURE, "--port", "0"]);
    expect(run.code).toBe(1);
    expect(run.out).toBe("");
    // A new data dir: the host's warning about the generated master key comes first, as a formatted line.
    const [warning, ...rest] = run.err.trim().split("\n");
    expect(warning).toMatch(/^warning: generated a new master key in .*master\.key/);
    expect(rest).toEqual(["error: no OAuth app credential squarelike_app is set (missing_client_credential)", "fix: backfill credentials set squarelike_app --client-id <id>"]);
  });

  it("webhooks deliveries lists the auth webhook log; bad input is one line plus the fix", async () => {
    const empty = await cli(["webhooks", "deliveries"]);
    expect(empty.code, empty.err).toBe(0);
    expect(empty.out).toContain("no auth webhook deliveries");
    expect(JSON.parse((await cli(["webhooks", "deliveries", "--json"])).out)).toEqual([]);
    const bad = await cli(["webhooks", "deliveries", "--status", "lost"]);
    expect(bad.err).toBe("error: --status lost is not a delivery status\nfix: pass one of pending, delivered, failed\n");
  });

  it("connections: --help teaches with examples; bad input is one line plus the fix", async () => {
    const help = await cli(["connections", "--help"]);
    expect(help.out).toContain("backfill connections migrate-tokens");
    const status = await cli(["connections", "list", "--status", "broken"]);
    expect(status.code).toBe(1);
    expect(status.err).toMatch(/^error: unknown status broken\nfix: use one of pending, active/);
    const missing = await cli(["connections", "disconnect", "conn_nope"]);
    expect(missing.code).toBe(1);
    expect(missing.err).toBe("error: no connection conn_nope\nfix: see the ids with backfill connections list\n");
  });

  it("connect: a bad --port or --timeout is one line plus the fix, before any URL", async () => {
    const badPort = await cli(["connect", FIXTURE, "--port", "http"]);
    expect(badPort.code).toBe(1);
    expect(badPort.out).toBe("");
    expect(badPort.err).toBe("error: --port http is not a port\nfix: pass a number from 1 to 65535 (0 picks a free one)\n");
    const badTimeout = await cli(["connect", FIXTURE, "--port", "0", "--timeout", "soon"]);
    expect(badTimeout.code).toBe(1);
    expect(badTimeout.out).toBe("");
    expect(badTimeout.err).toBe("error: --timeout soon is not a whole number of seconds\nfix: pass e.g. --timeout 600\n");
  });

  it("credentials set reads the secret from stdin, never an argument; list never shows it", async () => {
    const refused = await cli(["credentials", "set", "squarelike_app", "--client-id", "app-1", "--client-secret", SECRET]);
    expect(refused.code).toBe(1);
    expect(refused.err).toMatch(/^error: the client secret is never taken as an argument/);
    expect(refused.err).toContain("fix: printf %s");

    const set = await cli(["credentials", "set", "squarelike_app", "--client-id", "app-1"], { stdin: `${SECRET}\n` });
    expect(set.code).toBe(0);
    const list = await cli(["credentials", "list", "--json"]);
    expect(JSON.parse(list.out)).toEqual([expect.objectContaining({ credentialKey: "squarelike_app", clientId: "app-1" })]);
  });

  it("connect with an unknown connector fails in one line with the fix", async () => {
    const run = await cli(["connect", "nosuchconnector"]);
    expect(run.code).toBe(1);
    expect(run.err.trim().split("\n")).toEqual(["error: no connector nosuchconnector is installed", expect.stringMatching(/^fix: create it with backfill new nosuchconnector/)]);
  });

  it("validate reports the manifest and the release checklist", async () => {
    const run = await cli(["validate", FIXTURE, "--json"]);
    const report = JSON.parse(run.out) as { problems: unknown[]; checks: { name: string; ok: boolean }[] };
    expect(report.problems).toEqual([]);
    expect(report.checks.find((c) => c.name.startsWith("postConnect"))!.ok).toBe(false);
    expect(run.code).toBe(1);
    expect(run.err).toContain("failed checklist item");
  });

  it("validate lists the routes served without an API key and whether the manifest declares them", async () => {
    const run = await cli(["validate", join(HERE, "..", "..", "..", "connectors", "shopify")]);
    expect(run.out).toMatch(/\/webhooks\/shopify\s.*webhook\s.*yes/);
    // validate runs the whole Shopify connector suite: minutes on a loaded 2-core machine.
  }, 180_000);

  it("connect → callback → active; show, refresh-due, keys rotate, disconnect", async () => {
    let callbackDone: Promise<void> | undefined;
    const connect = await cli(["connect", FIXTURE, "--port", "0", "--json"], {
      onStdout: (text) => {
        if (!text.startsWith("http://127.0.0.1:")) return;
        // The browser: open the CLI's start URL (it sets the binding cookie and redirects to the
        // authorization URL), follow it to the stand-in, then its redirect back to the CLI's listener.
        callbackDone = (async () => {
          const { callbackUrl: callback, cookie } = await authorizeCliConnect(text.trim(), standIn.origin());
          expect(new URL(callback).pathname).toBe("/oauth/callback/squarelike");
          // A forged callback (another state) gets an error page and the command keeps waiting.
          const forged = await fetch(callback.replace(/state=[^&]+/, "state=forged"), { headers: { cookie } });
          expect(forged.status).toBe(400);
          // The genuine callback from another browser (no cookie) is refused too.
          const foreign = await fetch(callback);
          expect(await foreign.text()).toContain("Connection failed");
          expect(foreign.status).toBe(400);
          const page = await fetch(callback, { headers: { cookie } });
          const text2 = await page.text();
          expect(page.status, text2).toBe(200);
          expect(text2).toContain("Connected");
        })();
      },
    });
    await callbackDone;
    expect(connect.code, connect.err).toBe(0);
    const result = JSON.parse(connect.out.split("\n").slice(1).join("\n")) as { connectionId: string; providerAccount: { id: string } };
    expect(result.providerAccount.id).toBe("M-42");

    const list = JSON.parse((await cli(["connections", "list", "--json"])).out) as { id: string; status: string }[];
    expect(list).toEqual([expect.objectContaining({ id: result.connectionId, status: "active" })]);
    const show = await cli(["connections", "show", result.connectionId, "--json"]);
    expect(JSON.parse(show.out)).toMatchObject({ status: "active", token: { scopes: ["PAYMENTS_READ"], hasRefreshToken: true } });
    expect((await cli(["connections", "show", result.connectionId])).out).toContain("access token expires");

    const migrate = await cli(["connections", "migrate-tokens", "--json"]);
    expect(migrate.code).toBe(0);
    expect(JSON.parse(migrate.out)).toEqual([{ connectionId: result.connectionId, status: "skipped", reason: "provider square has no token migration" }]);

    const due = await cli(["tokens", "refresh-due", "--within", "7d", "--json"]);
    expect(JSON.parse(due.out)).toEqual([]);
    expect((await cli(["tokens", "refresh-due", "--within", "soon"])).err).toContain("is not a duration");

    const rotate = await cli(["keys", "rotate", "--json"]);
    expect(JSON.parse(rotate.out)).toMatchObject({ reencrypted: 3 });

    const off = await cli(["connections", "disconnect", result.connectionId]);
    expect(off.out).toContain("revoked at the provider");
    expect(revoked).toEqual([{ auth: `Client ${SECRET}`, body: { client_id: "app-1", access_token: ACCESS } }]);
  });

  it("no secret reached the output or the database files", async () => {
    for (const text of [...printed, ...databaseFileTexts(dataDir)]) expect(text).not.toContain("CANARY");
  });
});
