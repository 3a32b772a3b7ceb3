// backfill db migrate and --database-url: a PostgreSQL database behind the code is refused by
// ordinary commands (one line, the code, the fix), `db migrate` brings it up to date once, and
// a database a newer version migrated is refused by every command, db migrate included.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import pg from "pg";
import { sharedTestPostgres } from "@backfill-io/test-postgres";
import { MIGRATIONS } from "@backfill-io/host";
import { inProcessCli } from "./in-process-cli.js";

afterAll(async () => {
  if (!process.env.BACKFILL_TEST_DATABASE_URL) await (await sharedTestPostgres()).stop();
});

async function tableCount(url: string): Promise<number> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return Number((await client.query<{ n: string }>("select count(*) as n from information_schema.tables where table_schema = 'public'")).rows[0]!.n);
  } finally {
    await client.end();
  }
}

describe("backfill db migrate (PostgreSQL)", () => {
  it("behind: refused with the fix and nothing created; db migrate applies every migration once; then commands work", async () => {
    const url = await (await sharedTestPostgres()).createDatabase("cli");
    const { cli } = inProcessCli(mkdtempSync(join(tmpdir(), "backfill-cli-db-")));
    const refused = await cli(["--database-url", url, "connections", "list"]);
    expect(refused.code).not.toBe(0);
    expect(refused.err).toContain("database_schema_behind");
    expect(refused.err).toMatch(/fix: .*backfill db migrate/);
    expect(await tableCount(url)).toBe(0);

    const migrated = await cli(["--database-url", url, "db", "migrate", "--json"]);
    expect(migrated.code).toBe(0);
    expect(JSON.parse(migrated.out)).toMatchObject({ dialect: "postgres", applied: Object.keys(MIGRATIONS).sort() });
    const again = await cli(["--database-url", url, "db", "migrate"]);
    expect(again.out).toContain("is up to date");

    const listed = await cli(["--database-url", url, "connections", "list", "--json"]);
    expect(listed.code).toBe(0);
    expect(JSON.parse(listed.out)).toEqual([]);
  }, 60_000);

  it("ahead: every command refuses a database a newer backfill migrated, and the password never appears", async () => {
    const url = await (await sharedTestPostgres()).createDatabase("cli");
    const { cli } = inProcessCli(mkdtempSync(join(tmpdir(), "backfill-cli-db-")));
    expect((await cli(["--database-url", url, "db", "migrate"])).code).toBe(0);
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    await client.query("insert into kysely_migration (name, timestamp) values ('999_newer', now()::text)");
    await client.end();
    const password = new URL(url).password;
    for (const args of [
      ["connections", "list"],
      ["db", "migrate"],
    ]) {
      const run = await cli(["--database-url", url, ...args]);
      expect(run.code).not.toBe(0);
      expect(run.err).toContain("database_schema_ahead");
      expect(run.err).toContain("999_newer");
      expect(run.err + run.out).not.toContain(password);
    }
  }, 60_000);

  it("a URL that is not PostgreSQL is refused with database_url_invalid", async () => {
    const { cli } = inProcessCli(mkdtempSync(join(tmpdir(), "backfill-cli-db-")));
    const run = await cli(["--database-url", "mysql://root:hunter2@db/x", "connections", "list"]);
    expect(run.code).not.toBe(0);
    expect(run.err).toContain("database_url_invalid");
    expect(run.err).not.toContain("hunter2");
  });
});
