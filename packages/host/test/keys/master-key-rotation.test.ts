// Master-key rotation: the whole keyring is re-wrapped under a new master key (and every
// secret re-encrypted under a new data key), so a leaked master.key opens nothing
// afterwards; no old wrapped key or old ciphertext survives in the database files; and
// a long-running host on the same data dir notices the rotation without a restart.
import { mkdtempSync, readFileSync, readdirSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { randomBytes } from "node:crypto";
import { sql } from "kysely";
import { afterEach, describe, expect, it } from "vitest";
import { openHost, silentLogger, staticConnectorRegistry, Vault, rotateMasterKey, type Host } from "../../src/index.js";
import { stageMasterKeyFile } from "../../src/vault/master-key.js";
import { canary } from "../oauth-fixtures.js";

const hosts: Host[] = [];
afterEach(async () => {
  while (hosts.length) await hosts.pop()!.close();
});

async function open(dataDir: string, masterKey?: string): Promise<Host> {
  const h = await openHost({ dataDir, logger: silentLogger, connectors: staticConnectorRegistry([]), ...(masterKey ? { masterKey } : {}) });
  hosts.push(h);
  return h;
}

async function closeAll(): Promise<void> {
  while (hosts.length) await hosts.pop()!.close();
}

const newDataDir = () => mkdtempSync(join(tmpdir(), "backfill-master-rotate-"));
const newKey = () => randomBytes(32);
const databaseBytes = (dataDir: string) =>
  readdirSync(dataDir)
    .filter((f) => f.startsWith("backfill.db"))
    .map((f) => readFileSync(join(dataDir, f)).toString("latin1"))
    .join("\n");

/** Every wrapped data key and every ciphertext in the database, as stored. */
async function storedCiphertexts(h: Host): Promise<string[]> {
  const wrapped = (await h.store.db.selectFrom("vault_keys").select("wrapped_key").execute()).map((r) => r.wrapped_key);
  const secrets = (await h.store.db.selectFrom("oauth_app_credentials").select("client_secret_enc").execute()).map((r) => r.client_secret_enc);
  // The ciphertext part alone too: it is what would linger in a freed page.
  return [...wrapped, ...secrets].flatMap((v) => [v, v.split(".")[3]!]);
}

describe("master-key rotation", () => {
  it("re-wraps the keyring under the new key: the old key opens nothing, the new one opens everything", async () => {
    const dataDir = newDataDir();
    const oldKey = newKey().toString("base64");
    const h = await open(dataDir, oldKey);
    const secret = canary("client-secret");
    await h.credentials.set("app", { clientId: "id", clientSecret: secret });
    const before = await storedCiphertexts(h);
    const replacement = newKey();

    const result = await rotateMasterKey(h, replacement, { persist: "none" });
    expect(result).toMatchObject({ rewrapped: 1, reencrypted: 1, masterKeyFile: null });
    expect((await h.credentials.get("app"))!.clientSecret).toBe(secret);
    await closeAll();

    await expect(open(dataDir, oldKey)).rejects.toMatchObject({ code: "master_key_mismatch" });
    const reopened = await open(dataDir, replacement.toString("base64"));
    expect((await reopened.credentials.get("app"))!.clientSecret).toBe(secret);
    // The vault itself, given the old key, cannot unwrap a single data key.
    await expect(Vault.open(reopened.store, Buffer.from(oldKey, "base64"))).rejects.toMatchObject({ code: "master_key_mismatch" });
    await closeAll();

    const bytes = databaseBytes(dataDir);
    for (const old of before) expect(bytes.includes(old), `old ciphertext ${old.slice(0, 12)}… still in the database files`).toBe(false);
  });

  it("with the key in <data dir>/master.key, the file is replaced (mode 0600) and the next open uses it", async () => {
    const dataDir = newDataDir();
    const h = await open(dataDir);
    const keyFile = join(dataDir, "master.key");
    const oldKey = readFileSync(keyFile, "utf8").trim();
    await h.credentials.set("app", { clientId: "id", clientSecret: canary("client-secret") });
    const replacement = newKey();
    const result = await rotateMasterKey(h, replacement, { persist: "data-dir" });
    expect(result.masterKeyFile).toBe(keyFile);
    expect(readFileSync(keyFile, "utf8").trim()).toBe(replacement.toString("base64"));
    expect(statSync(keyFile).mode & 0o777).toBe(0o600);
    expect(readdirSync(dataDir).filter((f) => f.startsWith("master.key"))).toEqual(["master.key"]);
    await closeAll();
    expect((await (await open(dataDir)).credentials.get("app"))!.clientId).toBe("id");
    await closeAll();
    await expect(open(dataDir, oldKey)).rejects.toMatchObject({ code: "master_key_mismatch" });
  });

  it("refuses to rotate to the same master key, writing nothing", async () => {
    const dataDir = newDataDir();
    const key = newKey();
    const h = await open(dataDir, key.toString("base64"));
    const before = await storedCiphertexts(h);
    await expect(rotateMasterKey(h, key, { persist: "none" })).rejects.toMatchObject({ code: "master_key_unchanged" });
    expect(await storedCiphertexts(h)).toEqual(before);
  });
});

/** A long-running host (serve) holding a secret, and a second host (the CLI) on the same data dir. */
async function serveAndCli(masterKey?: string): Promise<{ dataDir: string; serve: Host; cli: Host; secret: string }> {
  const dataDir = newDataDir();
  const serve = await open(dataDir, masterKey);
  const secret = canary("client-secret");
  await serve.credentials.set("app", { clientId: "id", clientSecret: secret });
  return { dataDir, serve, cli: await open(dataDir, masterKey), secret };
}

describe("a running host and a rotation by another process", () => {
  it("master.key in the data dir: the running host re-reads it and keeps working", async () => {
    const { serve, cli, secret } = await serveAndCli();
    await rotateMasterKey(cli, newKey(), { persist: "data-dir" });

    expect((await serve.credentials.get("app"))!.clientSecret).toBe(secret);
    const later = canary("written-after");
    await serve.credentials.set("later", { clientId: "id2", clientSecret: later });
    expect((await cli.credentials.get("later"))!.clientSecret).toBe(later);
  });

  it("between the database commit and the rename of master.key.next, the running host finds the new key there", async () => {
    const { dataDir, serve, cli, secret } = await serveAndCli();
    const replacement = newKey();
    stageMasterKeyFile(dataDir, replacement);
    await cli.vault.rotateMasterKey(replacement);
    expect(
      readdirSync(dataDir)
        .filter((f) => f.startsWith("master.key"))
        .sort(),
    ).toEqual(["master.key", "master.key.next"]);
    expect((await serve.credentials.get("app"))!.clientSecret).toBe(secret);
  });

  it("BACKFILL_MASTER_KEY: the running host refuses reads and writes with master_key_rotated until restarted", async () => {
    const { dataDir, serve, cli } = await serveAndCli(newKey().toString("base64"));
    const replacement = newKey();
    await rotateMasterKey(cli, replacement, { persist: "none" });

    await expect(serve.credentials.get("app")).rejects.toMatchObject({ code: "master_key_rotated", fix: expect.stringContaining("BACKFILL_MASTER_KEY") });
    await expect(serve.credentials.set("other", { clientId: "x", clientSecret: canary("refused") })).rejects.toMatchObject({ code: "master_key_rotated" });
    expect(await serve.store.credentials.get("other")).toBeUndefined();
    expect(() => serve.vault.encrypt("x", { table: "t", rowId: "r", field: "f" })).toThrow(/master key/);

    const restarted = await open(dataDir, replacement.toString("base64"));
    expect((await restarted.credentials.get("app"))!.clientId).toBe("id");
  });

  it("a data-key rotation by another process: the running host reloads the keyring and seals with the new key", async () => {
    const { serve, cli, secret } = await serveAndCli();
    const rotated = await cli.vault.rotateDataKey();

    expect((await serve.credentials.get("app"))!.clientSecret).toBe(secret);
    expect(serve.vault.keyId).toBe(rotated.keyId);
    await serve.credentials.set("later", { clientId: "id2", clientSecret: canary("later") });
    const row = await cli.store.credentials.get("later");
    expect(row!.client_secret_enc.split(".")[1]).toBe(rotated.keyId);
  });

  it("a data-key rotation leaves no old ciphertext in the database files", async () => {
    const dataDir = newDataDir();
    const h = await open(dataDir);
    await h.credentials.set("app", { clientId: "id", clientSecret: canary("client-secret") });
    const before = await storedCiphertexts(h);
    await h.vault.rotateDataKey();
    const bytes = databaseBytes(dataDir);
    for (const old of before) expect(bytes.includes(old), `old ciphertext ${old.slice(0, 12)}… still in the database files`).toBe(false);
  });
});

describe("secure delete", () => {
  it("a deleted secret leaves no old ciphertext in the database file's free space", async () => {
    const dataDir = newDataDir();
    const h = await open(dataDir);
    await h.credentials.set("gone", { clientId: "id", clientSecret: canary("deleted") });
    await h.credentials.set("kept", { clientId: "id", clientSecret: canary("kept") });
    const deleted = (await h.store.credentials.get("gone"))!.client_secret_enc;
    await h.store.credentials.delete("gone");
    await sql`pragma wal_checkpoint(TRUNCATE)`.execute(h.store.db);
    expect(databaseBytes(dataDir).includes(deleted.split(".")[3]!), "old ciphertext in a freed cell").toBe(false);
  });
});
