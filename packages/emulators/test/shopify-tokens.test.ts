// Expiring offline tokens as Shopify has them now: one active offline grant per app and shop;
// a spent refresh token stays retryable until its replacement is used (30 days at most;
// changelog 2026-08-28 "More resilient refreshes for expiring offline access tokens"); a
// migration token exchange retried within 7 days returns the same pair ("More resilient token
// exchanges when migrating tokens without a user session"); and a lost token response.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { OFFLINE_ACCESS_TOKEN_TYPE, TOKEN_EXCHANGE_GRANT_TYPE, type RunningShopifyEmulator } from "../src/shopify/index.js";
import { CLIENT_ID, CLIENT_SECRET, REDIRECT_URI, graphql, shopFetch, start } from "./shopify-helpers.js";

let emulator: RunningShopifyEmulator;
let now = Date.parse("2026-11-01T00:00:00Z");
const DAY = 86_400_000;
const client = { client_id: CLIENT_ID, client_secret: CLIENT_SECRET };

beforeAll(async () => {
  emulator = await start({ autoApprove: true, clock: () => now, customers: 2, orders: 2 });
});
afterAll(async () => {
  await emulator.close();
});

type TokenBody = { access_token?: string; refresh_token?: string; expires_in?: number; error?: string };

async function token(body: Record<string, string>): Promise<{ status: number; body: TokenBody }> {
  const response = await shopFetch(emulator, "acme", "/admin/oauth/access_token", {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ ...client, ...body }),
  });
  return { status: response.status, body: (await response.json()) as TokenBody };
}

async function connect(expiring = true): Promise<TokenBody> {
  const params = new URLSearchParams({ client_id: CLIENT_ID, scope: "read_orders", redirect_uri: REDIRECT_URI, state: "s" });
  const redirect = await shopFetch(emulator, "acme", `/admin/oauth/authorize?${params.toString()}`);
  const code = new URL(redirect.headers.get("location") ?? "").searchParams.get("code") ?? "";
  const issued = await token({ code, ...(expiring ? { expiring: "1" } : {}) });
  expect(issued.status).toBe(200);
  return issued.body;
}

const works = async (access: string | undefined) => (await graphql(emulator, "acme", access ?? "", "{ shop { id } }")).status === 200;
const refresh = (refreshToken: string | undefined) => token({ grant_type: "refresh_token", refresh_token: refreshToken ?? "" });

describe("Shopify expiring offline tokens", () => {
  it("a new grant revokes the previous offline tokens of the app and shop", async () => {
    const first = await connect();
    const second = await connect();
    expect(await works(first.access_token)).toBe(false);
    expect((await refresh(first.refresh_token)).body.error).toBe("invalid_grant");
    expect(await works(second.access_token)).toBe(true);
  });

  it("a spent refresh token can be retried until its replacement is used", async () => {
    const pair = await connect();
    const lost = await refresh(pair.refresh_token);
    expect(lost.status).toBe(200);
    expect(await works(pair.access_token)).toBe(false);
    // The answer never arrived: the app retries with the refresh token it has.
    const retried = await refresh(pair.refresh_token);
    expect(retried.status).toBe(200);
    expect(retried.body.refresh_token).not.toBe(lost.body.refresh_token);
    // One active grant: the pair of the lost answer is gone.
    expect(await works(lost.body.access_token)).toBe(false);
    expect((await refresh(lost.body.refresh_token)).body.error).toBe("invalid_grant");
    expect(await works(retried.body.access_token)).toBe(true);
    // Using the replacement retires the old one.
    const next = await refresh(retried.body.refresh_token);
    expect(next.status).toBe(200);
    expect((await refresh(pair.refresh_token)).body.error).toBe("invalid_grant");
    expect((await refresh(retried.body.refresh_token)).status).toBe(200);
  });

  it("the retry window ends 30 days after the first use", async () => {
    const pair = await connect();
    expect((await refresh(pair.refresh_token)).status).toBe(200);
    now += 30 * DAY;
    expect((await refresh(pair.refresh_token)).body.error).toBe("invalid_grant");
  });

  it("a token exchange retried within 7 days returns the same pair; not after, nor once the pair is refreshed", async () => {
    const legacy = (await connect(false)).access_token ?? "";
    const exchange = () =>
      token({
        grant_type: TOKEN_EXCHANGE_GRANT_TYPE,
        subject_token: legacy,
        subject_token_type: OFFLINE_ACCESS_TOKEN_TYPE,
        requested_token_type: OFFLINE_ACCESS_TOKEN_TYPE,
        expiring: "1",
      });
    const first = await exchange();
    expect(first.status).toBe(200);
    expect(await works(legacy)).toBe(false);
    now += 2 * 3_600_000;
    const again = await exchange();
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ access_token: first.body.access_token, refresh_token: first.body.refresh_token, expires_in: 3600 });
    expect(await works(again.body.access_token)).toBe(true);
    now += 7 * DAY;
    expect((await exchange()).status).toBe(400);

    const other = (await connect(false)).access_token ?? "";
    const migrated = await token({ grant_type: TOKEN_EXCHANGE_GRANT_TYPE, subject_token: other, subject_token_type: OFFLINE_ACCESS_TOKEN_TYPE, expiring: "1" });
    expect((await refresh(migrated.body.refresh_token)).status).toBe(200);
    expect((await token({ grant_type: TOKEN_EXCHANGE_GRANT_TYPE, subject_token: other, subject_token_type: OFFLINE_ACCESS_TOKEN_TYPE, expiring: "1" })).status).toBe(400);
  });

  it("a lost token response: the grant is processed, the connection reset", async () => {
    const pair = await connect();
    emulator.state.loseTokenResponses(1);
    await expect(refresh(pair.refresh_token)).rejects.toThrow();
    expect(await works(pair.access_token)).toBe(false);
    const recovered = await refresh(pair.refresh_token);
    expect(recovered.status).toBe(200);
    expect(await works(recovered.body.access_token)).toBe(true);
  });
});
