// The data dir is 0700 and every file the host creates in it 0600, also when the dir
// already existed with looser modes; a data dir that is a file, one owned by someone
// else, or a corrupted or locked database is one clear error naming the path, with a fix.
import { chmodSync, chownSync, mkdirSync, mkdtempSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { randomBytes } from "node:crypto";
import BetterSqlite3 from "better-sqlite3";
import { describe, expect, it } from "vitest";
import { openDatabase, openHost, silentLogger, staticConnectorRegistry } from "../../src/index.js";

const options = { logger: silentLogger, connectors: staticConnectorRegistry([]) };
const modeOf = (path: string) => statSync(path).mode & 0o777;

function modes(dataDir: string): Record<string, string> {
  return Object.fromEntries(readdirSync(dataDir).map((f) => [f, modeOf(join(dataDir, f)).toString(8)]));
}

describe("data dir and file modes", () => {
  it("a new data dir is 0700 and the database, its -wal and -shm and master.key are 0600 while the host runs", async () => {
    const dataDir = join(mkdtempSync(join(tmpdir(), "backfill-modes-")), "data");
    const h = await openHost({ dataDir, ...options });
    await h.credentials.set("app", { clientId: "id", clientSecret: "s3cret-value" });
    expect(modeOf(dataDir)).toBe(0o700);
    expect(Object.keys(modes(dataDir)).sort()).toEqual(["backfill.db", "backfill.db-shm", "backfill.db-wal", "master.key"]);
    expect(
      Object.values(modes(dataDir)).every((m) => m === "600"),
      JSON.stringify(modes(dataDir)),
    ).toBe(true);
    await h.close();
  });

  it("an existing dir and files with looser modes are tightened", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "backfill-modes-"));
    const h = await openHost({ dataDir, ...options });
    await h.close();
    chmodSync(dataDir, 0o755);
    for (const f of readdirSync(dataDir)) chmodSync(join(dataDir, f), 0o644);
    const again = await openHost({ dataDir, ...options });
    await again.credentials.set("app", { clientId: "id", clientSecret: "s3cret-value" });
    expect(modeOf(dataDir)).toBe(0o700);
    expect(
      Object.values(modes(dataDir)).every((m) => m === "600"),
      JSON.stringify(modes(dataDir)),
    ).toBe(true);
    await again.close();
  });

  it("a data dir owned by another user is refused, untouched", async () => {
    if (process.getuid?.() !== 0) return; // only root can hand a directory to another user
    const dataDir = mkdtempSync(join(tmpdir(), "backfill-modes-"));
    chmodSync(dataDir, 0o755);
    chownSync(dataDir, 4242, 4242);
    await expect(openHost({ dataDir, ...options })).rejects.toMatchObject({ code: "data_dir_not_owned", message: expect.stringContaining(dataDir), fix: expect.any(String) });
    expect(readdirSync(dataDir)).toEqual([]);
    expect(modeOf(dataDir)).toBe(0o755);
  });

  it("a data dir path that is a file is one error naming the path, with a fix", async () => {
    const file = join(mkdtempSync(join(tmpdir(), "backfill-modes-")), "not-a-dir");
    writeFileSync(file, "hello");
    await expect(openHost({ dataDir: file, ...options })).rejects.toMatchObject({
      code: "data_dir_not_directory",
      message: expect.stringContaining(file),
      fix: expect.stringContaining("--data-dir"),
    });
  });

  it("a corrupted database file is one error naming the file, with a fix", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "backfill-modes-"));
    const file = join(dataDir, "backfill.db");
    writeFileSync(file, "this is not a database, only text ".repeat(200));
    await expect(openHost({ dataDir, ...options, masterKey: randomBytes(32).toString("base64") })).rejects.toMatchObject({
      code: "database_corrupt",
      message: expect.stringContaining(file),
      fix: expect.any(String),
    });
  });

  it("a database locked by another process is one error naming the file, with a fix", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "backfill-modes-"));
    mkdirSync(dataDir, { recursive: true });
    const file = join(dataDir, "backfill.db");
    const holder = new BetterSqlite3(file);
    holder.pragma("journal_mode = WAL");
    holder.pragma("locking_mode = EXCLUSIVE");
    holder.exec("create table held (x); begin exclusive; insert into held values (1);");
    try {
      await expect(openDatabase({ dataDir, busyTimeoutMs: 20 })).rejects.toMatchObject({
        code: "database_locked",
        message: expect.stringContaining(file),
        fix: expect.any(String),
      });
    } finally {
      holder.exec("rollback");
      holder.close();
    }
  });
});
