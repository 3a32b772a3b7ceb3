import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { sharedTestPostgres } from "../src/index.ts";

const server = await sharedTestPostgres();
afterAll(() => server.stop());

async function query(url: string, sql: string): Promise<unknown[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<Record<string, unknown>>(sql)).rows;
  } finally {
    await client.end();
  }
}

describe("test PostgreSQL", () => {
  it("hands out separate databases on a real server", async () => {
    const a = await server.createDatabase("a");
    const b = await server.createDatabase("b");
    expect(a).not.toBe(b);
    await query(a, "CREATE TABLE t (x int); INSERT INTO t VALUES (1)");
    expect(await query(a, "SELECT x FROM t")).toEqual([{ x: 1 }]);
    await expect(query(b, "SELECT x FROM t")).rejects.toThrow(/does not exist/);
    const [row] = (await query(a, "SHOW server_version")) as { server_version: string }[];
    expect(Number.parseInt(row!.server_version, 10)).toBeGreaterThanOrEqual(15);
  });

  it.runIf(server.embedded)("keeps the data across a restart", async () => {
    const url = await server.createDatabase("restart");
    await query(url, "CREATE TABLE t (x int); INSERT INTO t VALUES (7)");
    await server.restart();
    expect(await query(url, "SELECT x FROM t")).toEqual([{ x: 7 }]);
  });
});
