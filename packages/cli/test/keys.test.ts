// backfill keys: host API keys (create, list, revoke — a revoked key is refused by a
// running server at once) and the master key (rotate under a new one read from a file,
// stdin or generated; never an argument; the old key opens nothing afterwards).
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openHost, RouteRunner, silentLogger, startHostServer, staticConnectorRegistry } from "@backfill-io/host";
import { databaseFileTexts, inProcessCli } from "./in-process-cli.js";

const newDataDir = () => mkdtempSync(join(tmpdir(), "backfill-cli-keys-"));
const twoLines = (err: string) => err.trim().split("\n");

describe("backfill keys create | list | revoke", () => {
  const dataDir = newDataDir();
  const { cli, printed } = inProcessCli(dataDir);
  const issued: string[] = [];

  async function create(name: string): Promise<{ id: string; key: string; prefix: string }> {
    const run = await cli(["keys", "create", "--name", name, "--json"]);
    expect(run.code, run.err).toBe(0);
    const created = JSON.parse(run.out) as { id: string; key: string; prefix: string };
    issued.push(created.key);
    return created;
  }

  it("list shows id, name, prefix, created, last used, revoked as a table and as JSON, never the key", async () => {
    const a = await create("billing-sync");
    const table = await cli(["keys", "list"]);
    expect(table.code).toBe(0);
    for (const head of ["id", "name", "prefix", "created", "last used", "revoked"]) expect(table.out).toContain(head);
    expect(table.out).toContain(a.id);
    expect(table.out).toContain(a.prefix);
    const json = JSON.parse((await cli(["keys", "list", "--json"])).out) as Record<string, unknown>[];
    expect(json).toEqual([{ id: a.id, name: "billing-sync", prefix: a.prefix, createdAt: expect.any(String), lastUsedAt: null, revokedAt: null }]);
  });

  it("revoke marks the key revoked; an unknown or already revoked id is one line plus the fix", async () => {
    const b = await create("to-revoke");
    const run = await cli(["keys", "revoke", b.id]);
    expect(run.code, run.err).toBe(0);
    expect(run.out).toContain(`revoked host API key ${b.id}`);
    const listed = JSON.parse((await cli(["keys", "list", "--json"])).out) as { id: string; revokedAt: string | null }[];
    expect(listed.find((k) => k.id === b.id)!.revokedAt).toEqual(expect.any(String));

    const again = await cli(["keys", "revoke", b.id]);
    expect(again.code).toBe(1);
    expect(twoLines(again.err)).toEqual([`error: host API key ${b.id} is already revoked (api_key_already_revoked)`, expect.stringMatching(/^fix: /)]);
    const unknown = await cli(["keys", "revoke", "key_nope"]);
    expect(unknown.code).toBe(1);
    expect(twoLines(unknown.err)).toEqual(["error: no host API key key_nope (api_key_not_found)", "fix: list the keys with: backfill keys list"]);
  });

  it("a key revoked with the CLI is refused by a running server on its next request", async () => {
    const c = await create("served");
    const host = await openHost({ dataDir, logger: silentLogger, connectors: staticConnectorRegistry([]) });
    const runner = new RouteRunner();
    const server = await startHostServer({ host, runner, port: 0 });
    try {
      const headers = { authorization: `Bearer ${c.key}` };
      expect((await fetch(`${server.url}/api/connections`, { headers })).status).toBe(200);
      expect((await cli(["keys", "revoke", c.id])).code).toBe(0);
      expect((await fetch(`${server.url}/api/connections`, { headers })).status).toBe(401);
    } finally {
      await server.close();
      await runner.close();
      await host.close();
    }
  });

  it("no key reached the output (except create's) or the database files", async () => {
    const outputs = printed.filter((text) => !issued.some((key) => text.includes(`"key": "${key}"`)));
    for (const key of issued) for (const text of [...outputs, ...databaseFileTexts(dataDir)]) expect(text).not.toContain(key);
  });
});

describe("backfill keys rotate", () => {
  async function withSecret(env?: string) {
    const dataDir = newDataDir();
    const { cli, printed } = inProcessCli(dataDir);
    const secret = `CANARY-rotate-secret-${randomBytes(4).toString("hex")}`;
    const previous = process.env.BACKFILL_MASTER_KEY;
    if (env) process.env.BACKFILL_MASTER_KEY = env;
    try {
      expect((await cli(["credentials", "set", "app", "--client-id", "id"], { stdin: secret })).code).toBe(0);
    } finally {
      if (previous === undefined) delete process.env.BACKFILL_MASTER_KEY;
      else process.env.BACKFILL_MASTER_KEY = previous;
    }
    return { dataDir, cli, printed, secret };
  }

  it("plain `keys rotate` (and --data-key) renews the data key under the same master key", async () => {
    const { cli } = await withSecret();
    expect(JSON.parse((await cli(["keys", "rotate", "--json"])).out)).toMatchObject({ reencrypted: 1 });
    expect(JSON.parse((await cli(["keys", "rotate", "--data-key", "--json"])).out)).toMatchObject({ reencrypted: 1 });
  });

  it("--new-master-key <file>: master.key is replaced, the old key opens nothing", async () => {
    const { dataDir, cli, printed, secret } = await withSecret();
    const oldKey = readFileSync(join(dataDir, "master.key"), "utf8").trim();
    const newKey = randomBytes(32).toString("base64");
    const keyFile = join(newDataDir(), "new.key");
    writeFileSync(keyFile, newKey + "\n", { mode: 0o600 });
    const run = await cli(["keys", "rotate", "--new-master-key", keyFile]);
    expect(run.code, run.err).toBe(0);
    expect(run.out).toContain(join(dataDir, "master.key"));
    expect(readFileSync(join(dataDir, "master.key"), "utf8").trim()).toBe(newKey);
    expect((await cli(["credentials", "list", "--json"])).code).toBe(0);

    process.env.BACKFILL_MASTER_KEY = oldKey;
    try {
      const refused = await cli(["credentials", "list"]);
      expect(refused.code).toBe(1);
      expect(twoLines(refused.err)).toEqual([expect.stringContaining("(master_key_mismatch)"), expect.stringMatching(/^fix: .*BACKFILL_MASTER_KEY/)]);
    } finally {
      delete process.env.BACKFILL_MASTER_KEY;
    }
    for (const text of [...printed, ...databaseFileTexts(dataDir)]) {
      expect(text).not.toContain(newKey);
      expect(text).not.toContain(oldKey);
      expect(text).not.toContain(secret);
    }
  });

  it("--new-master-key - reads the key from stdin; with BACKFILL_MASTER_KEY no file is written and the fix says to update it", async () => {
    const oldKey = randomBytes(32).toString("base64");
    const { dataDir, cli } = await withSecret(oldKey);
    const newKey = randomBytes(32).toString("base64");
    process.env.BACKFILL_MASTER_KEY = oldKey;
    try {
      const run = await cli(["keys", "rotate", "--new-master-key", "-"], { stdin: newKey });
      expect(run.code, run.err).toBe(0);
      expect(run.err).toContain("BACKFILL_MASTER_KEY");
      expect(readdirSync(dataDir).filter((f) => f.startsWith("master.key"))).toEqual([]);
      expect((await cli(["credentials", "list"])).err).toContain("master_key_mismatch");
      process.env.BACKFILL_MASTER_KEY = newKey;
      expect((await cli(["credentials", "list"])).code).toBe(0);
    } finally {
      delete process.env.BACKFILL_MASTER_KEY;
    }
  });

  it("--generate writes the new master.key into the data dir (0600), says where, never prints it", async () => {
    const { dataDir, cli } = await withSecret();
    const before = readFileSync(join(dataDir, "master.key"), "utf8");
    const run = await cli(["keys", "rotate", "--generate"]);
    expect(run.code, run.err).toBe(0);
    const file = join(dataDir, "master.key");
    const after = readFileSync(file, "utf8");
    expect(after).not.toBe(before);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(run.out).toContain(file);
    expect(run.out + run.err).not.toContain(after.trim());
  });

  it("refuses the key as an argument value, a missing file and two sources at once, changing nothing", async () => {
    const { dataDir, cli } = await withSecret();
    const before = readFileSync(join(dataDir, "master.key"), "utf8");
    const asArgument = await cli(["keys", "rotate", "--new-master-key", randomBytes(32).toString("base64")]);
    expect(asArgument.code).toBe(1);
    expect(twoLines(asArgument.err)).toEqual([expect.stringContaining("never the key itself"), expect.stringMatching(/^fix: .*--new-master-key -/)]);
    const missing = await cli(["keys", "rotate", "--new-master-key", join(dataDir, "nope.key")]);
    expect(twoLines(missing.err)).toEqual([expect.stringContaining("nope.key"), expect.stringMatching(/^fix: /)]);
    const both = await cli(["keys", "rotate", "--generate", "--data-key"]);
    expect(both.code).toBe(1);
    expect(twoLines(both.err)).toHaveLength(2);
    expect(readFileSync(join(dataDir, "master.key"), "utf8")).toBe(before);
  });
});

describe("data dir errors in the CLI", () => {
  let savedKey: string | undefined;
  beforeAll(() => {
    savedKey = process.env.BACKFILL_MASTER_KEY;
    delete process.env.BACKFILL_MASTER_KEY;
  });
  afterAll(() => {
    if (savedKey !== undefined) process.env.BACKFILL_MASTER_KEY = savedKey;
  });

  it("a data dir that is a file: one line naming it, one fix line", async () => {
    const file = join(newDataDir(), "a-file");
    writeFileSync(file, "x");
    const run = await inProcessCli(file).cli(["connections", "list"]);
    expect(run.code).toBe(1);
    expect(twoLines(run.err)).toEqual([`error: data dir ${file} is a file, not a directory (data_dir_not_directory)`, expect.stringMatching(/^fix: .*--data-dir/)]);
  });

  it("a corrupted database: one line naming the file, one fix line", async () => {
    const dataDir = newDataDir();
    const { cli } = inProcessCli(dataDir);
    expect((await cli(["connections", "list"])).code).toBe(0);
    writeFileSync(join(dataDir, "backfill.db"), "garbage, not SQLite ".repeat(300));
    const run = await cli(["connections", "list"]);
    expect(run.code).toBe(1);
    expect(twoLines(run.err)).toEqual([expect.stringContaining(join(dataDir, "backfill.db")), expect.stringMatching(/^fix: /)]);
    expect(run.err).toContain("database_corrupt");
  });

  it("an existing database without its master key: master_key_missing, nothing written", async () => {
    const dataDir = newDataDir();
    const { cli } = inProcessCli(dataDir);
    expect((await cli(["connections", "list"])).code).toBe(0);
    rmSync(join(dataDir, "master.key"));
    const files = readdirSync(dataDir).sort();
    const run = await cli(["connections", "list"]);
    expect(twoLines(run.err)).toEqual([expect.stringContaining("(master_key_missing)"), expect.stringMatching(/^fix: restore .*master\.key/)]);
    expect(readdirSync(dataDir).sort()).toEqual(files);
  });
});
