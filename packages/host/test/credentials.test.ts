import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { openHost } from "../src/app/open-host.js";
import { staticConnectorRegistry } from "../src/app/connectors.js";
import { silentLogger } from "../src/app/logger.js";
import { canary, databaseBytes } from "./oauth-fixtures.js";

describe("credentials", async () => {
  const host = await openHost({ dataDir: mkdtempSync(join(tmpdir(), "backfill-cred-")), logger: silentLogger, connectors: staticConnectorRegistry([]) });
  afterAll(() => host.close());

  it("stores the client secret encrypted and never lists it", async () => {
    const secret = canary("client-secret");
    await host.credentials.set("shopify_public_app", { clientId: "abc", clientSecret: secret });
    expect(await host.credentials.get("shopify_public_app")).toEqual({ credentialKey: "shopify_public_app", clientId: "abc", clientSecret: secret });
    const list = await host.credentials.list();
    expect(list).toEqual([expect.objectContaining({ credentialKey: "shopify_public_app", clientId: "abc" })]);
    expect(JSON.stringify(list)).not.toContain(secret);
    expect(databaseBytes(host.dbFile)).not.toContain(secret);
    expect(await host.credentials.get("nope")).toBeUndefined();
  });

  it("refuses bad keys and empty values", async () => {
    await expect(host.credentials.set("bad key", { clientId: "a", clientSecret: "secret-value" })).rejects.toMatchObject({ code: "invalid_credential_key" });
    await expect(host.credentials.set("ok", { clientId: " ", clientSecret: "secret-value" })).rejects.toMatchObject({ code: "invalid_client_id" });
    await expect(host.credentials.set("ok", { clientId: "a", clientSecret: "" })).rejects.toMatchObject({ code: "invalid_client_secret" });
  });
});
