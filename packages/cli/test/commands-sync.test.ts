// backfill sync, runs and records, run in process against a provider stand-in on
// 127.0.0.1: the shop-like fixture connector is connected through the real OAuth flow
// (its postConnect route in a worker) and synced through the real route runner.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { openHost, silentLogger, staticConnectorRegistry } from "@backfill-io/host";
import { authorizeCliConnect, databaseFileTexts, inProcessCli, providerStandIn } from "./in-process-cli.js";

const FIXTURE = join(dirname(fileURLToPath(import.meta.url)), "fixtures", "shop-like");
const SECRET = "CANARY-sync-client-secret-71be";
const ACCESS = "CANARY-sync-access-token-4d09";
const dataDir = mkdtempSync(join(tmpdir(), "backfill-cli-sync-"));

type Item = Record<string, unknown>;
const customers: Item[] = [
  { customer_id: "c1", display_name: "Ada Lovelace", email: "ada@example.com", created_at: "2024-01-02T00:00:00Z" },
  { customer_id: "c2", display_name: "Grace Hopper", email: "grace@example.com" },
  { customer_id: "c3", display_name: "Alan Turing", email: "alan@example.com" },
  { customer_id: "c4", display_name: "Broken", email: "not-an-email" },
  { customer_id: "c5", display_name: "Edsger Dijkstra" },
  { customer_id: "c6", display_name: "Barbara Liskov", currency: "USD" },
];
const receipts: Item[] = [
  { receipt_id: "r1", customer_id: "c1", issued_at: "2024-02-01T10:00:00Z", currency: "USD", total: "42.00" },
  { receipt_id: "r2", customer_id: "c2", issued_at: "2024-02-02T10:00:00Z", currency: "EUR", total: "7.50" },
];
const refunds: Item[] = [{ refund_id: "f1", receipt_id: "r1", customer_id: "c1", issued_at: "2024-02-03T10:00:00Z", currency: "USD", total: "42.00" }];

let rejectTokens = false;
let throttleReceipts = 1;

function pageOf(items: Item[], page: number, size = 2) {
  const slice = items.slice((page - 1) * size, page * size);
  return { items: slice, next: page * size < items.length ? page + 1 : null };
}

const standIn = providerStandIn("https://api.shoplike.test", FIXTURE, (req, res, url, raw) => {
  const send = (status: number, body: unknown, headers: Record<string, string> = {}) =>
    res.writeHead(status, { "content-type": "application/json", ...headers }).end(JSON.stringify(body));
  if (url.pathname === "/oauth/authorize") {
    const back = new URL(url.searchParams.get("redirect_uri")!);
    back.searchParams.set("code", "CANARY-sync-code-1");
    back.searchParams.set("state", url.searchParams.get("state")!);
    return res.writeHead(302, { location: back.toString() }).end();
  }
  if (url.pathname === "/oauth/token") {
    const body = JSON.parse(raw) as Record<string, string>;
    const ok = body.client_secret === SECRET && body.code === "CANARY-sync-code-1";
    return send(ok ? 200 : 400, ok ? { access_token: ACCESS, expires_in: 86400, scope: "read" } : { error: "invalid_grant" });
  }
  if (req.headers.authorization !== `Bearer ${ACCESS}` || rejectTokens) return send(401, { error: "unauthorized" });
  const page = Number(url.searchParams.get("page") ?? 1);
  if (url.pathname === "/me") return send(200, { id: "acct-7", name: "Shop-like Test Store" });
  if (url.pathname === "/customers") return send(200, pageOf(customers, page));
  if (url.pathname === "/receipts") {
    if (throttleReceipts-- > 0) return send(429, { error: "slow down" }, { "retry-after": "0" });
    return send(200, pageOf(receipts, page));
  }
  if (url.pathname === "/refunds") return send(200, pageOf(refunds, page));
  send(404, { error: "not found" });
});

const { cli, printed } = inProcessCli(dataDir);

let connectionId = "";

describe("backfill sync, runs, records", () => {
  it("connects through the OAuth flow with postConnect run by the route runner", async () => {
    expect((await cli(["credentials", "set", "shoplike_app", "--client-id", "app-9"], { stdin: SECRET })).code).toBe(0);
    let browser: Promise<void> | undefined;
    const connect = await cli(["connect", "shoplike", "--port", "0", "--json"], {
      onStdout: (text) => {
        if (!text.startsWith("http://127.0.0.1:")) return;
        browser = (async () => {
          const { callbackUrl, cookie } = await authorizeCliConnect(text.trim(), standIn.origin());
          expect((await fetch(callbackUrl, { headers: { cookie } })).status).toBe(200);
        })();
      },
    });
    await browser;
    expect(connect.code, connect.err).toBe(0);
    const result = JSON.parse(connect.out.split("\n").slice(1).join("\n")) as { connectionId: string; providerAccount: { id: string; name: string } };
    expect(result.providerAccount).toMatchObject({ id: "acct-7", name: "Shop-like Test Store" });
    connectionId = result.connectionId;
  });

  it("sync <connector key> runs every stream with progress and prints the result table", async () => {
    const run = await cli(["sync", "shoplike"]);
    expect(run.code, run.err).toBe(0);
    expect(run.err).toContain("customers");
    const lines = run.out.split("\n");
    expect(lines[1]).toMatch(/stream.*outcome.*pages.*accepted.*rejected.*retries.*time/);
    expect(run.out).toMatch(/customers\s*│\s*succeeded\s*│\s*3\s*│\s*5\s*│\s*1\s*│\s*0/);
    expect(run.out).toMatch(/receipts\s*│\s*succeeded\s*│\s*1\s*│\s*2\s*│\s*0\s*│\s*1/);
    expect(run.out).toMatch(/refunds\s*│\s*succeeded\s*│\s*1\s*│\s*1\s*│\s*0\s*│\s*0/);
  });

  it("sync --stream --json resumes from the checkpoint and prints JSON", async () => {
    const run = await cli(["sync", connectionId, "--stream", "customers", "--json"]);
    expect(run.code, run.err).toBe(0);
    expect(run.err).toBe("");
    const results = JSON.parse(run.out) as { stream: string; outcome: string; pages: number }[];
    expect(results).toEqual([expect.objectContaining({ stream: "customers", outcome: "succeeded", pages: 1 })]);
  });

  it("sync of an unknown stream or connection fails in one line with the fix", async () => {
    const stream = await cli(["sync", connectionId, "--stream", "orders"]);
    expect(stream.code).toBe(1);
    expect(stream.err.trim().split("\n")).toEqual(["error: connector shoplike has no stream orders", "fix: use one of: customers, receipts, refunds"]);
    const unknown = await cli(["sync", "conn_nosuch"]);
    expect(unknown.code).toBe(1);
    expect(unknown.err.trim().split("\n")).toEqual(["error: no connection conn_nosuch", expect.stringMatching(/^fix: see the ids with backfill connections list/)]);
  });

  it("runs lists the sync runs as a table and as JSON", async () => {
    const json = await cli(["runs", "--connection", connectionId, "--json"]);
    const runs = JSON.parse(json.out) as { stream: string; outcome: string; accepted: number; retries: number; durationMs: number }[];
    expect(runs).toHaveLength(4);
    expect(runs[0]).toMatchObject({ stream: "customers", outcome: "succeeded" });
    expect(runs.find((r) => r.stream === "receipts")).toMatchObject({ accepted: 2, retries: 1 });
    const limited = JSON.parse((await cli(["runs", "--stream", "customers", "--limit", "1", "--json"])).out) as unknown[];
    expect(limited).toHaveLength(1);
    const table = await cli(["runs"]);
    expect(table.out).toMatch(/run.*connection.*stream.*outcome/);
    expect(table.out).toContain("refunds");
    expect((await cli(["runs", "--limit", "zero"])).err).toContain("fix: pass e.g. --limit 50");
  });

  it("records lists key columns, accepts entity aliases and prints full payloads with --json", async () => {
    const table = await cli(["records", "SalesReceipt", "--connection", connectionId]);
    expect(table.code, table.err).toBe(0);
    expect(table.out).toMatch(/id.*customer.*date.*currency.*total.*updated/);
    expect(table.out).toMatch(/r1\s*│\s*c1\s*│\s*2024-02-01T10:00:00Z\s*│\s*USD\s*│\s*42\.00/);
    for (const alias of ["sales_receipt", "salesreceipt", "SalesReceipt"]) {
      const json = JSON.parse((await cli(["records", alias, "--json"])).out) as { entity: string; records: { payload: Item }[] };
      expect(json.entity).toBe("sales_receipt");
      expect(json.records.map((r) => r.payload.receipt_id)).toEqual(["r1", "r2"]);
    }
    const refund = JSON.parse((await cli(["records", "RefundReceipt", "--json"])).out) as { records: { payload: Item }[] };
    expect(refund.records[0]!.payload).toMatchObject({ refund_id: "f1", receipt_id: "r1", total: "42.00" });
    const people = await cli(["records", "customer", "--connection", "shoplike"]);
    expect(people.out).toContain("Ada Lovelace");
    expect(people.out).not.toContain("Broken");
    const bad = await cli(["records", "orders"]);
    expect(bad.code).toBe(1);
    expect(bad.err).toContain("fix: use one of customer, sales_receipt, refund_receipt");
  });

  it("records leaves out redacted records and says how many", async () => {
    const host = await openHost({ dataDir, connectors: staticConnectorRegistry([]), logger: silentLogger });
    try {
      const keys = (await host.store.records.list(connectionId, { kind: "customer" })).slice(0, 2).map((r) => r.idempotency_key);
      expect((await host.store.records.redact(connectionId, { idempotencyKeys: keys })).redacted).toBe(2);
    } finally {
      await host.close();
    }
    const table = await cli(["records", "customer"]);
    expect(table.out).not.toContain("Ada Lovelace");
    expect(table.out).toContain("2 deleted or redacted customer record(s) not shown; pass --include-deleted to list them");
    const json = JSON.parse((await cli(["records", "customer", "--json"])).out) as { records: unknown[]; redactedExcluded: number };
    expect(json.records).toHaveLength(3);
    expect(json.redactedExcluded).toBe(2);
    const all = JSON.parse((await cli(["records", "customer", "--include-redacted", "--json"])).out) as { records: { payload: unknown }[] };
    expect(all.records).toHaveLength(5);
    expect(all.records.filter((r) => r.payload === null)).toHaveLength(2);
  });

  it("a provider that refuses the token stops the sync with reauth_required and the reconnect fix", async () => {
    rejectTokens = true;
    const run = await cli(["sync", connectionId, "--stream", "customers"]);
    expect(run.code).toBe(1);
    expect(run.out).toMatch(/customers\s*│\s*reauth_required/);
    expect(run.err).toContain(`fix: backfill connect shoplike --connection ${connectionId}`);
    const again = await cli(["sync", connectionId]);
    expect(again.code).toBe(1);
    expect(again.err.trim().split("\n")).toEqual([
      `error: connection ${connectionId} is reauth_required (provider_rejected)`,
      `fix: backfill connect shoplike --connection ${connectionId}`,
    ]);
  });

  it("every command has --help with examples", async () => {
    const commands = [
      ["validate"],
      ["credentials"],
      ["credentials", "set"],
      ["credentials", "list"],
      ["connect"],
      ["connections"],
      ["connections", "list"],
      ["connections", "show"],
      ["connections", "disconnect"],
      ["connections", "migrate-tokens"],
      ["tokens"],
      ["tokens", "refresh-due"],
      ["keys"],
      ["keys", "rotate"],
      ["keys", "create"],
      ["sync"],
      ["runs"],
      ["records"],
      ["serve"],
    ];
    for (const cmd of commands) {
      const help = await cli([...cmd, "--help"]);
      expect(help.code).toBe(0);
      expect(help.out, cmd.join(" ")).toContain("Examples:");
    }
  });

  it("no secret reached the output or the database files", () => {
    for (const text of [...printed, ...databaseFileTexts(dataDir)]) expect(text).not.toContain("CANARY");
  });
});
