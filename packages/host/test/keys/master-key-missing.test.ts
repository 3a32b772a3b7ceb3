// A missing master key next to an existing database is an error that writes nothing (it
// used to generate a new, wrong master.key); a wrong master key says so with its fix.
import { mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { randomBytes } from "node:crypto";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openHost, silentLogger, staticConnectorRegistry, MASTER_KEY_ENV } from "../../src/index.js";

const savedEnv = process.env[MASTER_KEY_ENV];
beforeEach(() => {
  delete process.env[MASTER_KEY_ENV];
});
afterEach(() => {
  if (savedEnv !== undefined) process.env[MASTER_KEY_ENV] = savedEnv;
});

const options = { logger: silentLogger, connectors: staticConnectorRegistry([]) };

/** Every file of the data dir with its bytes. */
function snapshot(dataDir: string): Record<string, string> {
  return Object.fromEntries(
    readdirSync(dataDir)
      .sort()
      .map((f) => [f, readFileSync(join(dataDir, f)).toString("base64")]),
  );
}

async function existingDataDir(): Promise<string> {
  const dataDir = mkdtempSync(join(tmpdir(), "backfill-missing-key-"));
  const h = await openHost({ dataDir, ...options });
  await h.credentials.set("app", { clientId: "id", clientSecret: "s3cret-value" });
  await h.close();
  return dataDir;
}

describe("master key missing or wrong", () => {
  it("an existing database and no master key: master_key_missing naming the data dir and the fix; nothing written", async () => {
    const dataDir = await existingDataDir();
    rmSync(join(dataDir, "master.key"));
    const before = snapshot(dataDir);
    const error = (await openHost({ dataDir, ...options }).catch((e: unknown) => e)) as { code: string; message: string; fix: string };
    expect(error.code).toBe("master_key_missing");
    expect(error.message).toContain(dataDir);
    expect(error.fix).toMatch(/master\.key/);
    expect(error.fix).toContain(MASTER_KEY_ENV);
    expect(snapshot(dataDir)).toEqual(before);
  });

  it("a wrong master key: master_key_mismatch with the fix", async () => {
    const dataDir = await existingDataDir();
    const error = (await openHost({ dataDir, ...options, masterKey: randomBytes(32).toString("base64") }).catch((e: unknown) => e)) as {
      code: string;
      message: string;
      fix: string;
    };
    expect(error.code).toBe("master_key_mismatch");
    expect(error.fix).toContain(MASTER_KEY_ENV);
    expect(error.fix).toContain("master.key");
  });

  it("a new data dir still gets a generated master.key", async () => {
    const dataDir = join(mkdtempSync(join(tmpdir(), "backfill-missing-key-")), "fresh");
    const h = await openHost({ dataDir, ...options });
    await h.close();
    expect(readdirSync(dataDir)).toContain("master.key");
  });
});
