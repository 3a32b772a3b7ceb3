import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hostConnectionServices } from "../../src/app/runner-services.js";
import { createDemoConnection, openSyncHost, type SyncHost } from "../sync/support.js";

let sh: SyncHost;
beforeAll(async () => {
  sh = await openSyncHost(1);
});
afterAll(async () => {
  await sh.close();
});

describe("hostConnectionServices secrets", () => {
  it("reads client.webhookSecret as the app's client secret until the connection has its own", async () => {
    const id = await createDemoConnection(sh.host, "http://127.0.0.1:1");
    await sh.host.credentials.set("demo_app", { clientId: "demo-client", clientSecret: "app_secret_canary_42" });
    const { services } = await hostConnectionServices(sh.host, id);
    expect(await services.secret("webhook_secret")).toBe("app_secret_canary_42");
    expect(await services.secret("api_key")).toBeUndefined();

    const enc = sh.host.vault.encrypt("own_webhook_secret_1", { table: "connection_secrets", rowId: `${id}/webhook_secret`, field: "value_enc" });
    await sh.host.store.connectionSecrets.put(id, "webhook_secret", enc);
    expect(await services.secret("webhook_secret")).toBe("own_webhook_secret_1");
  });
});
