// backfill worker: refused without Postgres or with a non-Postgres URL (clear error, fix, the
// URL's password never printed); run as a child process against a real PostgreSQL it serves
// /healthz, /readyz and /metrics (host API key) and stops gracefully on SIGTERM.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { sharedTestPostgres } from "@backfill-io/test-postgres";
import { inProcessCli } from "./in-process-cli.js";
import { cliChild } from "./cli-child.js";

const dataDir = mkdtempSync(join(tmpdir(), "backfill-cli-worker-"));
const { cli } = inProcessCli(dataDir);
const PASSWORD = "canary-db-password-7c1e";

afterAll(async () => {
  await (await sharedTestPostgres()).stop();
});

describe("backfill worker", () => {
  it("needs Postgres: no URL, or a URL of another database, is one error line and a fix", async () => {
    const saved = process.env.BACKFILL_DATABASE_URL;
    delete process.env.BACKFILL_DATABASE_URL;
    try {
      const none = await cli(["worker"]);
      expect(none.code).toBe(1);
      expect(none.err).toContain("backfill worker needs the Postgres the queue lives in");
      expect(none.err).toContain("fix: pass --database-url postgres://");
      const mysql = await cli(["worker", "--database-url", `mysql://root:${PASSWORD}@127.0.0.1/db`]);
      expect(mysql.code).toBe(1);
      // One check, the host's (DatabaseError database_url_invalid), formatted by the CLI.
      expect(mysql.err).toContain("is not a PostgreSQL URL (database_url_invalid)");
      expect(mysql.err).toContain("fix: pass --database-url postgres://");
      expect(mysql.err + mysql.out).not.toContain(PASSWORD);
      expect((await cli(["worker", "--database-url", "postgres://x@127.0.0.1/db", "--concurrency", "0"])).err).toContain("--concurrency 0 is not a whole number from 1 to 64");
    } finally {
      if (saved !== undefined) process.env.BACKFILL_DATABASE_URL = saved;
    }
  });

  it("runs against Postgres, answers /healthz, /readyz and /metrics with a host API key, stops on SIGTERM", async () => {
    const pg = await sharedTestPostgres();
    const databaseUrl = await pg.createDatabase("cli_worker");
    // One URL selects the store and the queue: migrate it once, then the key lives in Postgres too.
    expect((await cli(["db", "migrate", "--database-url", databaseUrl])).code).toBe(0);
    const key = (await cli(["keys", "create", "--name", "prometheus", "--database-url", databaseUrl])).out.trim();
    const worker = cliChild(["--data-dir", dataDir, "worker", "--metrics-port", "0", "--concurrency", "2"], { BACKFILL_DATABASE_URL: databaseUrl });
    const { child, exited } = worker;
    try {
      const url = (await worker.waitFor(/health and metrics on (http:\/\/127\.0\.0\.1:\d+)/))[1]!;
      expect(await (await fetch(`${url}/healthz`)).json()).toEqual({ ok: true });
      expect(await (await fetch(`${url}/readyz`)).json()).toEqual({ ready: true, checks: { store: "ok", queue: "ok" } });
      expect((await fetch(`${url}/metrics`)).status).toBe(401);
      const metrics = await fetch(`${url}/metrics`, { headers: { authorization: `Bearer ${key}` } });
      expect(metrics.status).toBe(200);
      expect(await metrics.text()).toContain("backfill_jobs{state=");
      child.kill("SIGTERM");
      expect(await exited).toBe(0);
      expect(worker.err()).toContain("stopped");
      expect(worker.out() + worker.err()).not.toContain(new URL(databaseUrl).password);
    } finally {
      if (child.exitCode === null) child.kill("SIGKILL");
    }
  }, 120_000);
});
