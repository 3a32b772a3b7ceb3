import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningSquareEmulator } from "../src/square/index.js";
import { APP, authorize, codeFlowTokens, getJson, JPY_MERCHANT, pkcePair, postJson, start, USD_MERCHANT } from "./square-helpers.js";

const DAY = 86_400_000;

describe("Square emulator OAuth", () => {
  let emulator: RunningSquareEmulator;
  const responses: string[] = [];
  const secrets = new Set<string>([APP.clientSecret]);
  const token = async (body: Record<string, unknown>) => {
    const response = await postJson(`${emulator.url}/oauth2/token`, { client_id: APP.clientId, ...body });
    if (response.status !== 200) responses.push(response.text);
    return response;
  };

  beforeAll(async () => {
    emulator = await start();
  });
  afterAll(async () => {
    // Canary: no secret, code, verifier or refresh token ever comes back in an error body.
    expect(responses.length).toBeGreaterThan(5);
    for (const text of responses) for (const secret of secrets) expect(text).not.toContain(secret);
    await emulator.close();
  });

  it("code flow: authorize redirects with code and state, ObtainToken returns Square's token shape", async () => {
    const redirect = await authorize(emulator);
    expect(`${redirect.origin}${redirect.pathname}`).toBe(APP.redirectUri);
    expect(redirect.searchParams.get("state")).toBe("st-123");
    expect(redirect.searchParams.get("response_type")).toBe("code");
    const code = redirect.searchParams.get("code")!;
    const before = emulator.state.now();
    const response = await token({ client_secret: APP.clientSecret, grant_type: "authorization_code", code, redirect_uri: APP.redirectUri });
    expect(response.status).toBe(200);
    const body = response.body;
    expect(Object.keys(body).sort()).toEqual(["access_token", "expires_at", "merchant_id", "refresh_token", "short_lived", "token_type"]);
    expect(body.access_token).toMatch(/^EAAA/);
    expect(body.refresh_token).toMatch(/^EQAA/);
    expect(body).toMatchObject({ token_type: "bearer", merchant_id: USD_MERCHANT, short_lived: false });
    expect(body.expires_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(Math.abs(Date.parse(body.expires_at) - (before + 30 * DAY))).toBeLessThan(5_000);

    const me = await getJson(`${emulator.url}/v2/merchants/me`, body.access_token);
    expect(me.status).toBe(200);
    expect(me.body.merchant.id).toBe(USD_MERCHANT);

    // Single use: the same code a second time is rejected in Square's shape.
    secrets.add(code);
    const again = await token({ client_secret: APP.clientSecret, grant_type: "authorization_code", code, redirect_uri: APP.redirectUri });
    expect(again.status).toBe(401);
    expect(again.body.type).toBe("service.not_authorized");
    expect(again.body.errors[0]).toMatchObject({ category: "AUTHENTICATION_ERROR", code: "UNAUTHORIZED" });
  });

  it("codes expire after 5 minutes", async () => {
    const code = (await authorize(emulator)).searchParams.get("code")!;
    secrets.add(code);
    emulator.state.advanceClock(5 * 60_000 + 1);
    const response = await token({ client_secret: APP.clientSecret, grant_type: "authorization_code", code });
    expect(response.status).toBe(401);
    expect(response.body.errors[0]!.detail).toMatch(/expired/);
  });

  it("rejects a form-encoded body with 400 like Square", async () => {
    const response = await fetch(`${emulator.url}/oauth2/token`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ client_id: APP.clientId, client_secret: APP.clientSecret, grant_type: "authorization_code", code: "x" }),
    });
    expect(response.status).toBe(400);
    const body = (await response.json()) as { type: string; errors: Array<Record<string, string>> };
    expect(body.type).toBe("bad_request");
    expect(body.errors[0]).toMatchObject({ category: "INVALID_REQUEST_ERROR", code: "INVALID_CONTENT_TYPE" });
  });

  it("rejects a wrong client secret with Not Authorized", async () => {
    const code = (await authorize(emulator)).searchParams.get("code")!;
    secrets.add(code);
    const response = await token({ client_secret: "sq0csp-wrong", grant_type: "authorization_code", code });
    expect(response.status).toBe(401);
    expect(response.body).toMatchObject({ message: "Not Authorized", type: "service.not_authorized" });
  });

  it("PKCE flow: no secret, code_verifier checked against the S256 challenge, rotating single-use refresh tokens", async () => {
    const { verifier, challenge } = pkcePair();
    secrets.add(verifier);
    const wrongCode = (await authorize(emulator, { code_challenge: challenge, code_challenge_method: "S256" })).searchParams.get("code")!;
    secrets.add(wrongCode);
    const wrong = await token({ grant_type: "authorization_code", code: wrongCode, code_verifier: pkcePair().verifier });
    expect(wrong.status).toBe(401);
    expect(wrong.body.errors[0]!.code).toBe("UNAUTHORIZED");

    const code = (await authorize(emulator, { code_challenge: challenge, code_challenge_method: "S256" })).searchParams.get("code")!;
    secrets.add(code);
    const noVerifier = await token({ client_secret: APP.clientSecret, grant_type: "authorization_code", code });
    expect(noVerifier.status).toBe(401);

    const code2 = (await authorize(emulator, { code_challenge: challenge })).searchParams.get("code")!;
    const exchanged = await token({ grant_type: "authorization_code", code: code2, code_verifier: verifier });
    expect(exchanged.status).toBe(200);
    const first = exchanged.body;
    expect(Math.abs(Date.parse(first.refresh_token_expires_at) - (emulator.state.now() + 90 * DAY))).toBeLessThan(5_000);
    secrets.add(first.refresh_token);

    const refreshed = await token({ grant_type: "refresh_token", refresh_token: first.refresh_token });
    expect(refreshed.status).toBe(200);
    expect(refreshed.body.refresh_token).not.toBe(first.refresh_token);
    expect(refreshed.body.access_token).not.toBe(first.access_token);

    const reused = await token({ grant_type: "refresh_token", refresh_token: first.refresh_token });
    expect(reused.status).toBe(401);
    expect(reused.body.message).toBe("Invalid refresh token");

    const next = await token({ grant_type: "refresh_token", refresh_token: refreshed.body.refresh_token });
    expect(next.status).toBe(200);
  });

  it("code flow refresh tokens are reusable and not rotated", async () => {
    const tokens = await codeFlowTokens(emulator);
    const one = await token({ client_secret: APP.clientSecret, grant_type: "refresh_token", refresh_token: tokens.refresh_token });
    const two = await token({ client_secret: APP.clientSecret, grant_type: "refresh_token", refresh_token: tokens.refresh_token });
    expect([one.status, two.status]).toEqual([200, 200]);
    expect(one.body.refresh_token).toBe(tokens.refresh_token);
    expect(two.body.refresh_token).toBe(tokens.refresh_token);
    expect(new Set([tokens.access_token, one.body.access_token, two.body.access_token]).size).toBe(3);
    secrets.add(tokens.refresh_token);
    const noSecret = await token({ grant_type: "refresh_token", refresh_token: tokens.refresh_token });
    expect(noSecret.status).toBe(401);
  });

  it("consent page: Deny redirects with access_denied, Approve uses the chosen merchant", async () => {
    emulator.state.autoApprove = false;
    try {
      const page = await fetch(`${emulator.url}/oauth2/authorize?client_id=${APP.clientId}&scope=ORDERS_READ&session=false&state=s1`);
      expect(page.status).toBe(200);
      const html = await page.text();
      expect(html).toContain('name="decision" value="approve"');
      expect(html).toContain(JPY_MERCHANT);
      expect(html).not.toContain(APP.clientSecret);

      const decide = (decision: string) =>
        fetch(`${emulator.url}/oauth2/authorize`, {
          method: "POST",
          redirect: "manual",
          body: new URLSearchParams({ client_id: APP.clientId, scope: "ORDERS_READ", state: "s1", merchant_id: JPY_MERCHANT, decision }),
        });
      const denied = new URL((await decide("deny")).headers.get("location")!);
      expect(denied.searchParams.get("error")).toBe("access_denied");
      expect(denied.searchParams.get("error_description")).toBeTruthy();
      expect(denied.searchParams.get("state")).toBe("s1");
      expect(denied.searchParams.get("code")).toBeNull();

      const approved = new URL((await decide("approve")).headers.get("location")!);
      const exchanged = await token({ client_secret: APP.clientSecret, grant_type: "authorization_code", code: approved.searchParams.get("code") });
      expect(exchanged.body.merchant_id).toBe(JPY_MERCHANT);
    } finally {
      emulator.state.autoApprove = true;
    }
  });

  it("revoke kills the merchant's tokens for the app; API answers ACCESS_TOKEN_REVOKED", async () => {
    const tokens = await codeFlowTokens(emulator);
    secrets.add(tokens.refresh_token);
    const wrong = await postJson(`${emulator.url}/oauth2/revoke`, { client_id: APP.clientId, access_token: tokens.access_token }, { authorization: "Client nope" });
    responses.push(wrong.text);
    expect(wrong.status).toBe(401);

    const revoked = await postJson(
      `${emulator.url}/oauth2/revoke`,
      { client_id: APP.clientId, access_token: tokens.access_token },
      { authorization: `Client ${APP.clientSecret}` },
    );
    expect(revoked.status).toBe(200);
    expect(revoked.body).toEqual({ success: true });

    const api = await getJson(`${emulator.url}/v2/locations`, tokens.access_token);
    expect(api.status).toBe(401);
    expect(api.body).toEqual({ errors: [{ category: "AUTHENTICATION_ERROR", code: "ACCESS_TOKEN_REVOKED", detail: "This request could not be authorized." }] });
    const refresh = await token({ client_secret: APP.clientSecret, grant_type: "refresh_token", refresh_token: tokens.refresh_token });
    expect(refresh.status).toBe(401);
  });

  it("answers 401 in Square's shape for missing, unknown and expired tokens", async () => {
    const missing = await getJson(`${emulator.url}/v2/merchants/me`);
    expect(missing.status).toBe(401);
    expect(missing.body).toEqual({ errors: [{ category: "AUTHENTICATION_ERROR", code: "UNAUTHORIZED", detail: "This request could not be authorized." }] });
    const unknown = await getJson(`${emulator.url}/v2/merchants/me`, "EAAAnot-a-token");
    expect(unknown.body.errors[0]!.code).toBe("UNAUTHORIZED");

    const tokens = await codeFlowTokens(emulator);
    emulator.state.advanceClock(30 * DAY + 1);
    const expired = await getJson(`${emulator.url}/v2/merchants/me`, tokens.access_token);
    expect(expired.status).toBe(401);
    expect(expired.body.errors[0]).toMatchObject({ category: "AUTHENTICATION_ERROR", code: "ACCESS_TOKEN_EXPIRED" });
    // A code flow refresh token still works after the access token expired.
    const refreshed = await token({ client_secret: APP.clientSecret, grant_type: "refresh_token", refresh_token: tokens.refresh_token });
    expect(refreshed.status).toBe(200);
  });

  it("answers 403 INSUFFICIENT_SCOPES for an endpoint outside the granted scopes", async () => {
    const redirect = await authorize(emulator, { scope: "MERCHANT_PROFILE_READ" });
    const tokens = await token({ client_secret: APP.clientSecret, grant_type: "authorization_code", code: redirect.searchParams.get("code") });
    const response = await getJson(`${emulator.url}/v2/customers`, tokens.body.access_token);
    expect(response.status).toBe(403);
    expect(response.body.errors[0]!.code).toBe("INSUFFICIENT_SCOPES");
  });
});
