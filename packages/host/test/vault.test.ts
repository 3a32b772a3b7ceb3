import { mkdtempSync, statSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { randomBytes } from "node:crypto";
import { afterEach, describe, expect, it } from "vitest";
import { openHost, type Host } from "../src/app/open-host.js";
import { staticConnectorRegistry } from "../src/app/connectors.js";
import type { HostLogger } from "../src/app/logger.js";
import { canary } from "./oauth-fixtures.js";

const hosts: Host[] = [];
afterEach(async () => {
  while (hosts.length) await hosts.pop()!.close();
});

function recordingLogger() {
  const lines: string[] = [];
  const at = (level: string) => (message: string, fields?: Record<string, unknown>) => void lines.push(`${level} ${message} ${JSON.stringify(fields ?? {})}`);
  const logger: HostLogger = { debug: at("debug"), info: at("info"), warn: at("warn"), error: at("error") };
  return { logger, lines };
}

async function host(dataDir = mkdtempSync(join(tmpdir(), "backfill-vault-")), opts: { masterKey?: string } = {}) {
  const { logger, lines } = recordingLogger();
  const h = await openHost({ dataDir, logger, connectors: staticConnectorRegistry([]), ...opts });
  hosts.push(h);
  return { h, lines, dataDir };
}

describe("vault", () => {
  it("generates master.key with mode 0600 on first run and warns naming the file", async () => {
    const { lines, dataDir } = await host();
    const file = join(dataDir, "master.key");
    expect(existsSync(file)).toBe(true);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(lines.some((l) => l.startsWith("warn") && l.includes(file))).toBe(true);
  });

  it("uses BACKFILL_MASTER_KEY when given and refuses a wrong key with a clear error", async () => {
    const key = randomBytes(32).toString("base64");
    const { dataDir, h } = await host(undefined, { masterKey: key });
    expect(existsSync(join(dataDir, "master.key"))).toBe(false);
    await h.close();
    hosts.pop();
    await expect(openHost({ dataDir, masterKey: randomBytes(32).toString("base64"), connectors: staticConnectorRegistry([]) })).rejects.toMatchObject({
      code: "master_key_mismatch",
    });
    await expect(openHost({ dataDir, masterKey: "c2hvcnQ=", connectors: staticConnectorRegistry([]) })).rejects.toThrow(/exactly 32 bytes/);
  });

  it("seals as v1.<keyId>.<iv>.<ct>.<tag> with a fresh IV, bound to table:rowId:field", async () => {
    const { h } = await host();
    const aad = { table: "oauth_tokens", rowId: "conn_a", field: "access_token_enc" };
    const secret = canary("token");
    const a = h.vault.encrypt(secret, aad);
    const b = h.vault.encrypt(secret, aad);
    expect(a).toMatch(/^v1\.k[0-9a-f]+\.[A-Za-z0-9_-]{16}\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{22}$/);
    expect(a).not.toBe(b);
    expect(h.vault.decrypt(a, aad)).toBe(secret);
    expect(() => h.vault.decrypt(a, { ...aad, rowId: "conn_b" })).toThrow(/another row or field/);
    expect(() => h.vault.decrypt(a, { ...aad, field: "refresh_token_enc" })).toThrow();
    const tampered = a.slice(0, -3) + (a.endsWith("A") ? "BBB" : "AAA");
    expect(() => h.vault.decrypt(tampered, aad)).toThrow();
  });

  it("a ciphertext moved to another row in the database does not decrypt", async () => {
    const { h } = await host();
    await h.credentials.set("app_one", { clientId: "one", clientSecret: canary("secret-one") });
    await h.credentials.set("app_two", { clientId: "two", clientSecret: canary("secret-two") });
    const one = await h.store.credentials.get("app_one");
    await h.store.db.updateTable("oauth_app_credentials").set({ client_secret_enc: one!.client_secret_enc }).where("credential_key", "=", "app_two").execute();
    await expect(h.credentials.get("app_two")).rejects.toMatchObject({ code: "vault_decrypt_failed" });
    expect((await h.credentials.get("app_one"))!.clientId).toBe("one");
  });

  it("rotate() re-encrypts every encrypted column with a new key id, and the data survives a reopen", async () => {
    const { h, dataDir } = await host();
    const secret = canary("secret");
    await h.credentials.set("app", { clientId: "id", clientSecret: secret });
    const conn = await h.store.connections.create({ connectorKey: "x", connectorVersion: "0.1.0", settings: {} });
    const webhook = canary("webhook");
    await h.store.connectionSecrets.put(
      conn.id,
      "webhook_secret",
      h.vault.encrypt(webhook, { table: "connection_secrets", rowId: `${conn.id}/webhook_secret`, field: "value_enc" }),
    );
    const oldKey = h.vault.keyId;
    const result = await h.vault.rotate();
    expect(result.previousKeyIds).toEqual([oldKey]);
    expect(result.keyId).not.toBe(oldKey);
    expect(result.reencrypted).toBe(2);
    const row = await h.store.credentials.get("app");
    expect(row!.client_secret_enc.split(".")[1]).toBe(result.keyId);
    await h.close();
    hosts.pop();
    const reopened = await host(dataDir);
    expect((await reopened.h.credentials.get("app"))!.clientSecret).toBe(secret);
    const { connectionSecret } = await import("../src/app/settings.js");
    expect(await connectionSecret(reopened.h.store, reopened.h.vault, conn.id, "webhook_secret")).toBe(webhook);
    expect(await reopened.h.store.db.selectFrom("vault_keys").select("id").execute()).toEqual([{ id: result.keyId }]);
  });
});
