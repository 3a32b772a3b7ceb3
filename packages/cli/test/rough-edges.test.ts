// The CLI's rough edges, each as the user met it: a back-to-back serve loop, a misspelled
// --setting, raw JSON log lines, tables without the connector, show without a key, a data
// dir that is a file.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { authWebhookDeliveryJson, openHost } from "@backfill-io/host";
import { inProcessCli } from "./in-process-cli.js";
import { createHumanLogger, formatLogLine } from "../src/human-logger.js";

const HERE = dirname(fileURLToPath(import.meta.url));
const FIXTURE = join(HERE, "fixtures", "square-like");
const SECRET = "CANARY-rough-client-secret-77a1";
const dataDir = mkdtempSync(join(tmpdir(), "backfill-rough-"));
const { cli, printed } = inProcessCli(dataDir);

describe("CLI rough edges", () => {
  it("serve --interval 0s (a back-to-back loop) is refused in one line with the fix", async () => {
    for (const interval of ["0s", "30s"]) {
      const run = await cli(["serve", "--interval", interval, "--port", "0"]);
      expect(run.code).toBe(1);
      expect(run.out).toBe("");
      expect(run.err.trim().split("\n")).toEqual([
        `error: --interval ${interval} is shorter than a minute`,
        expect.stringMatching(/^fix: pass e\.g\. --interval 15m \(at least 1m/),
      ]);
    }
  });

  it("connect --setting with a misspelled name is one line naming the closest setting, plus the fix; nothing is stored", async () => {
    const set = await cli(["credentials", "set", "squarelike_app", "--client-id", "app-1"], { stdin: SECRET });
    expect(set.code, set.err).toBe(0);
    const run = await cli(["connect", FIXTURE, "--port", "0", "--setting", "enviroment=sandbox"]);
    expect(run.code).toBe(1);
    expect(run.out).toBe("");
    const lines = run.err.trim().split("\n");
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^error: squarelike has no setting enviroment/);
    expect(lines[1]).toMatch(/^fix: /);
    const host = await openHost({ dataDir });
    try {
      expect(await host.store.connections.list()).toEqual([]);
    } finally {
      await host.close();
    }
  });

  it("host log entries reach the terminal as formatted lines, redacted, never as JSON", () => {
    let err = "";
    const logger = createHumanLogger({ stdout: () => {}, stderr: (t) => void (err += t), stdin: process.stdin, readSecret: async () => "" }, "info");
    logger.debug("not shown at info");
    logger.warn("token refresh failed; connection left as is", { connectionId: "conn_1", error: "Bearer CANARY-log-token-abc123def456" });
    expect(err).not.toContain("{");
    expect(err).not.toContain("CANARY-log-token");
    expect(err.split("\n")[0]).toMatch(/^warning: token refresh failed; connection left as is \(connectionId=conn_1, error=/);
    expect(formatLogLine("info", "oauth connection active")).toBe("info: oauth connection active\n");
  });

  it("connections show, runs and records take a connector key and show the connector", async () => {
    const host = await openHost({ dataDir });
    let id: string;
    try {
      const connection = await host.store.connections.create({ connectorKey: "squarelike", connectorVersion: "0.1.0", settings: {} });
      id = connection.id;
      await host.store.connections.setStatus(id, "active", null);
      const run = await host.store.syncRuns.create(id, "payments");
      await host.store.syncRuns.finish(run.id, "succeeded", "succeeded", null);
    } finally {
      await host.close();
    }
    const show = await cli(["connections", "show", "squarelike", "--json"]);
    expect(show.code, show.err).toBe(0);
    expect(JSON.parse(show.out)).toMatchObject({ id, connector: "squarelike" });
    const runs = await cli(["runs"]);
    expect(runs.out.split("\n").find((l) => l.includes("connector"))).toMatch(/run\s*│\s*connector\s*│\s*connection/);
    expect(runs.out).toContain("squarelike");
    expect(JSON.parse((await cli(["runs", "--json"])).out)).toEqual([expect.objectContaining({ connector: "squarelike", connectionId: id })]);
    const none = await cli(["connections", "show", "nosuch"]);
    expect(none.err.trim().split("\n")).toEqual(["error: no connection nosuch", expect.stringMatching(/^fix: /)]);
  });

  it("a data dir that is a file: one line naming the path, plus the fix", async () => {
    const file = join(mkdtempSync(join(tmpdir(), "backfill-rough-file-")), "not-a-dir");
    writeFileSync(file, "x");
    const run = await cli(["--data-dir", file, "connections", "list"]);
    expect(run.code).toBe(1);
    expect(run.err.trim().split("\n")).toEqual([
      `error: data dir ${file} is a file, not a directory (data_dir_not_directory)`,
      expect.stringMatching(/^fix: pass another directory with --data-dir/),
    ]);
  });

  it("backfill demo (the demo lives in the repository, not in the published CLI): one line, how to run it, exit 2", async () => {
    for (const args of [["demo"], ["demo", "--orders", "5000", "--faults", "0.1"]]) {
      const run = await cli(args);
      expect(run.code).toBe(2);
      expect(run.out).toBe("");
      expect(run.err.trim().split("\n")).toEqual(["error: the demo is not part of the published backfill CLI", expect.stringMatching(/^fix: .*npm run demo/)]);
    }
  });

  it("webhooks deliveries --json prints the API's shape: ISO 8601 times, nextAttemptAt while pending", async () => {
    const dir = mkdtempSync(join(tmpdir(), "backfill-rough-deliveries-"));
    const host = await openHost({ dataDir: dir });
    let row;
    try {
      await host.store.authWebhookDeliveries.insert({ event_id: "evt_cli_1", event_type: "connection.created", connection_id: null, payload_json: "{}" });
      row = (await host.store.authWebhookDeliveries.list())[0]!;
    } finally {
      await host.close();
    }
    const run = await inProcessCli(dir).cli(["webhooks", "deliveries", "--json"]);
    expect(run.code, run.err).toBe(0);
    // What the API answers for the row (the host's test pins that shape): ISO 8601 times.
    expect(JSON.parse(run.out)).toEqual([authWebhookDeliveryJson(row)]);
    expect(JSON.parse(run.out)).toMatchObject([
      { eventId: "evt_cli_1", createdAt: new Date(row.created_at).toISOString(), nextAttemptAt: new Date(row.next_attempt_at).toISOString() },
    ]);
  });

  it("no secret reached the output", () => {
    expect(printed.join("\n")).not.toContain(SECRET);
  });
});
