// The decrypted access token is held in memory while the stored grant is unchanged: one
// decryption for many calls, never the old token after another writer replaced the grant,
// and nothing once the connection was disconnected.
import { afterAll, beforeAll, expect, it, vi } from "vitest";
import { ReauthRequiredError } from "@backfill-io/sdk";
import { writeTokens } from "../src/tokens/token-store.js";
import { disconnect } from "../src/tokens/revoke.js";
import { openSyncHost, createDemoConnection, type SyncHost } from "./sync/support.js";

let sh: SyncHost;
const tokenSet = (accessToken: string) => ({
  accessToken,
  refreshToken: null,
  tokenType: "bearer",
  expiresAt: Date.now() + 3_600_000,
  refreshExpiresAt: null,
  scopes: ["customers.read"],
  accountId: null,
});

beforeAll(async () => {
  sh = await openSyncHost(1);
});

afterAll(async () => {
  await sh.close();
});

it("decrypts a grant's token once, and answers the new token after another writer replaced the grant", async () => {
  const { host } = sh;
  const id = await createDemoConnection(host, "http://127.0.0.1:1");
  await writeTokens(host.store, host.vault, id, tokenSet("held-token-first-1a2b"), { scopes: ["customers.read"] });
  const decrypt = vi.spyOn(host.vault, "decrypt");
  try {
    const first = await host.tokens.accessTokenGrant(id);
    for (let i = 0; i < 5; i++) expect(await host.tokens.accessToken(id)).toBe("held-token-first-1a2b");
    expect(decrypt).toHaveBeenCalledTimes(1);
    // Written behind the manager's back (another process, a reconnect): a new ciphertext, a new grant.
    await writeTokens(host.store, host.vault, id, tokenSet("held-token-second-3c4d"), { scopes: ["customers.read"] });
    const second = await host.tokens.accessTokenGrant(id);
    expect(second.token).toBe("held-token-second-3c4d");
    expect(second.grant).not.toBe(first.grant);
  } finally {
    decrypt.mockRestore();
  }
});

it("answers no token once the connection was disconnected", async () => {
  const { host } = sh;
  const id = await createDemoConnection(host, "http://127.0.0.1:1");
  await writeTokens(host.store, host.vault, id, tokenSet("held-token-gone-5e6f"), { scopes: ["customers.read"] });
  expect(await host.tokens.accessToken(id)).toBe("held-token-gone-5e6f");
  await disconnect(host.tokens, id, { revoke: false });
  await expect(host.tokens.accessToken(id)).rejects.toBeInstanceOf(ReauthRequiredError);
});
