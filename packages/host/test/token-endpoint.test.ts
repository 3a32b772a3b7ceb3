// The token request as the manifest describes it (client authentication, encoding, extra
// params) and the response read through the token paths, against a recording HostHttp.
import { describe, expect, it } from "vitest";
import type { OAuthConfig } from "@backfill-io/sdk";
import type { HostHttp, HostHttpRequest } from "../src/http/host-http.js";
import { parseTokenResponse, requestToken } from "../src/oauth/token-endpoint.js";
import { genericOAuthManifest } from "./oauth-fixtures.js";

const credential = { credentialKey: "app", clientId: "client id", clientSecret: "s3cret:/x" };

function oauthConfig(oauth: Partial<OAuthConfig> & { authMethod?: OAuthConfig["client"]["authMethod"] }): OAuthConfig {
  const { authMethod, ...rest } = oauth;
  return genericOAuthManifest({ ...(authMethod ? { authMethod } : {}), oauth: rest }).connection.oauth!;
}

function recordingHttp(answer: { status: number; body: unknown } = { status: 200, body: { access_token: "at" } }) {
  const sent: HostHttpRequest[] = [];
  const http: HostHttp = async (req) => {
    sent.push(req);
    const bodyText = JSON.stringify(answer.body);
    return { status: answer.status, headers: {}, body: Buffer.from(bodyText), bodyText, url: req.url };
  };
  return { http, sent };
}

const form = (req: HostHttpRequest) => Object.fromEntries(new URLSearchParams(String(req.body)));

describe("requestToken", () => {
  it("client_secret_basic: HTTP Basic of the form-encoded id and secret, nothing secret in the body", async () => {
    const { http, sent } = recordingHttp();
    await requestToken({ http, oauth: oauthConfig({ authMethod: "client_secret_basic" }), settings: {}, credential, params: { grant_type: "authorization_code", code: "c" } });
    expect(sent[0]!.headers!.authorization).toBe(`Basic ${Buffer.from("client%20id:s3cret%3A%2Fx").toString("base64")}`);
    expect(form(sent[0]!)).toEqual({ grant_type: "authorization_code", code: "c" });
  });

  it("none (a PKCE public client): the client id in the body, no secret anywhere", async () => {
    const { http, sent } = recordingHttp();
    await requestToken({ http, oauth: oauthConfig({ authMethod: "none" }), settings: {}, credential, params: { grant_type: "authorization_code", code: "c", code_verifier: "v" } });
    expect(sent[0]!.headers!.authorization).toBeUndefined();
    expect(form(sent[0]!)).toEqual({ grant_type: "authorization_code", code: "c", code_verifier: "v", client_id: "client id" });
  });

  it("adds the manifest's extra params, which never override the grant's own", async () => {
    const { http, sent } = recordingHttp();
    const oauth = oauthConfig({ tokenRequestParams: { expiring: "1", grant_type: "client_credentials" }, tokenRequestEncoding: "json" });
    await requestToken({ http, oauth, settings: {}, credential, params: { grant_type: "refresh_token", refresh_token: "r" } });
    expect(sent[0]!.headers!["content-type"]).toBe("application/json");
    expect(JSON.parse(String(sent[0]!.body))).toEqual({ grant_type: "refresh_token", refresh_token: "r", expiring: "1", client_id: "client id", client_secret: "s3cret:/x" });
  });

  it("classifies failures: 400/401 rejected, 5xx and 429 transient, a 2xx without JSON invalid", async () => {
    const oauth = oauthConfig({});
    const req = (status: number, body: unknown) =>
      requestToken({ http: recordingHttp({ status, body }).http, oauth, settings: {}, credential, params: { grant_type: "refresh_token", refresh_token: "r" } });
    await expect(req(400, { error: "invalid_grant" })).rejects.toMatchObject({ code: "token_request_rejected", status: 400, oauthError: "invalid_grant" });
    await expect(req(401, { error: "invalid_client" })).rejects.toMatchObject({ code: "token_request_rejected", status: 401 });
    await expect(req(503, {})).rejects.toMatchObject({ code: "token_endpoint_unavailable" });
    await expect(req(429, {})).rejects.toMatchObject({ code: "token_endpoint_unavailable" });
    await expect(req(200, "not an object")).rejects.toMatchObject({ code: "token_response_invalid" });
  });
});

describe("parseTokenResponse", () => {
  const now = Date.parse("2026-01-01T00:00:00Z");

  it("expires_in is seconds from now; expires_at is an ISO time; neither means no expiry", () => {
    const byIn = parseTokenResponse(oauthConfig({ token: { accessTokenPath: "access_token", expiresInPath: "expires_in" } }), { access_token: "a", expires_in: "3600" }, now);
    expect(byIn.expiresAt).toBe(now + 3600_000);
    const byAt = parseTokenResponse(
      oauthConfig({ token: { accessTokenPath: "access_token", expiresAtPath: "expires_at" } }),
      { access_token: "a", expires_at: "2026-01-31T00:00:00Z" },
      now,
    );
    expect(byAt.expiresAt).toBe(Date.parse("2026-01-31T00:00:00Z"));
    expect(parseTokenResponse(oauthConfig({}), { access_token: "a" }, now).expiresAt).toBeNull();
    expect(() =>
      parseTokenResponse(oauthConfig({ token: { accessTokenPath: "access_token", expiresAtPath: "expires_at" } }), { access_token: "a", expires_at: "soon" }, now),
    ).toThrow(/ISO-8601/);
  });

  it("reads the refresh token's expiry as seconds (Shopify) or an ISO time (Square PKCE)", () => {
    const byIn = parseTokenResponse(
      oauthConfig({ token: { accessTokenPath: "access_token", refreshTokenPath: "refresh_token", refreshExpiresInPath: "refresh_token_expires_in" } }),
      { access_token: "a", refresh_token: "r", refresh_token_expires_in: 7_776_000 },
      now,
    );
    expect(byIn.refreshExpiresAt).toBe(now + 7_776_000_000);
    const byAt = parseTokenResponse(
      oauthConfig({ token: { accessTokenPath: "access_token", refreshTokenPath: "refresh_token", refreshExpiresAtPath: "refresh_token_expires_at" } }),
      { access_token: "a", refresh_token: "r", refresh_token_expires_at: "2026-04-01T00:00:00Z" },
      now,
    );
    expect(byAt.refreshExpiresAt).toBe(Date.parse("2026-04-01T00:00:00Z"));
  });

  it("reads dot paths, scopes split on the separator, and refuses a response without the access token", () => {
    const oauth = oauthConfig({
      scopeSeparator: ",",
      token: { accessTokenPath: "data.token", refreshTokenPath: "data.refresh", scopePath: "data.scope", accountIdPath: "data.merchant" },
    });
    expect(parseTokenResponse(oauth, { data: { token: "a", refresh: "r", scope: "read_orders,read_customers", merchant: 42 } }, now)).toMatchObject({
      accessToken: "a",
      refreshToken: "r",
      scopes: ["read_orders", "read_customers"],
      accountId: "42",
    });
    expect(parseTokenResponse(oauth, { data: { token: "a" } }, now).scopes).toBeNull();
    expect(() => parseTokenResponse(oauth, { access_token: "a" }, now)).toThrow(/no access token at data.token/);
  });
});
