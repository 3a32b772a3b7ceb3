import { describe, expect, it } from "vitest";
import { ProviderRegistry, validateManifest, validateConnectorDir } from "@backfill-io/sdk";
import { validateSettings } from "@backfill-io/sdk/policy";
import manifest, { providerPlugin } from "../backfill.config.js";
import { fixture } from "./helpers.js";
import type { ObtainTokenFixture } from "./fixture-shapes.js";

// As the host runs it: with the plug-in backfill.config.ts exports registered.
const providers = new ProviderRegistry([providerPlugin]);

const minimal = (oauth: unknown, properties: Record<string, unknown> = {}) => ({
  key: "square",
  name: "Square",
  version: "0.1.0",
  connection: { oauth, settingsSchema: { required: [], properties } },
});

describe("manifest", () => {
  it("validates, with the routes present, and matches the package version", async () => {
    const report = await validateConnectorDir(new URL("..", import.meta.url).pathname);
    expect(report.problems).toEqual([]);
    expect(report.checks.every((c) => c.ok)).toBe(true);
    expect(manifest.connection.oauth?.tokenRequestEncoding).toBe("json");
    expect(manifest.connection.oauth?.authorizationParams).toEqual({ session: "false" });
  });

  it("maps production/sandbox to exactly the two Square hosts and rejects any other", () => {
    const prod = validateSettings(manifest, { environment: "production" }, { providers });
    const sandbox = validateSettings(manifest, { environment: "sandbox" }, { providers });
    expect(prod.ok && prod.settings.environment).toBe("connect.squareup.com");
    expect(sandbox.ok && sandbox.settings.environment).toBe("connect.squareupsandbox.com");
    expect(validateSettings(manifest, { environment: "evil.example.com" }, { providers }).ok).toBe(false);
    expect(validateSettings(manifest, { environment: "" }, { providers }).ok).toBe(false);
  });

  it("environment defaults to production, which satisfies requiredSettings before OAuth start", () => {
    expect(manifest.connection.settingsSchema.required).not.toContain("environment");
    expect(manifest.connection.oauth?.requiredSettings).toEqual(["environment"]);
    const checked = validateSettings(manifest, {}, { requireOAuthSettings: true, providers });
    expect(checked).toEqual({ ok: true, settings: { environment: "connect.squareup.com" } });
  });

  it("token paths resolve in Square's ObtainToken response", () => {
    const token = fixture<ObtainTokenFixture>("oauth-obtain-token.json");
    const paths = manifest.connection.oauth!.token;
    expect(token[paths.accessTokenPath]).toBeTypeOf("string");
    expect(token[paths.refreshTokenPath!]).toBeTypeOf("string");
    expect(Date.parse(String(token[paths.expiresAtPath!]))).toBeGreaterThan(0);
    expect(token[paths.accountIdPath!]).toBe("MLQW2SSZ0C3GK");
    expect(paths.expiresInPath).toBeUndefined();
  });

  it("a PKCE variant (public client, rotating single-use refresh tokens) validates", () => {
    const oauth = manifest.connection.oauth!;
    const pkce = {
      ...manifest,
      connection: {
        ...manifest.connection,
        oauth: { ...oauth, pkce: true, client: { ...oauth.client, authMethod: "none" }, refresh: { enabled: true, rotatesRefreshToken: true } },
      },
    };
    expect(validateManifest(pkce).problems).toEqual([]);
    const noPkce = { ...pkce, connection: { ...pkce.connection, oauth: { ...pkce.connection.oauth, pkce: false } } };
    expect(validateManifest(noPkce).ok).toBe(false);
  });

  it("the guide's section 5 Square block validates unchanged in a minimal manifest", () => {
    const guideBlock = {
      type: "authorization_code",
      authorizationUrlTemplate: "https://connect.squareup.com/oauth2/authorize",
      tokenUrlTemplate: "https://connect.squareup.com/oauth2/token",
      scopes: ["PAYMENTS_READ", "ORDERS_READ", "CUSTOMERS_READ"],
      client: { credentialKey: "square_public_app" },
      refresh: { enabled: true },
      token: { accessTokenPath: "access_token", refreshTokenPath: "refresh_token", expiresInPath: "expires_in", scopePath: "scope" },
    };
    expect(validateManifest(minimal(guideBlock)).problems).toEqual([]);
  });
});
