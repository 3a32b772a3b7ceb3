// The manifest: valid, expiring tokens with rotation, the guide's non-expiring variant
// for custom apps still valid, no client-secret settings, routes present.
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { ProviderRegistry, validateConnectorDir, validateManifest } from "@backfill-io/sdk";
import { validateSettings } from "@backfill-io/sdk/policy";
import manifest, { manifestInput, providerPlugin } from "../backfill.config.js";

// As the host runs it: with the plug-in backfill.config.ts exports registered.
const providers = new ProviderRegistry([providerPlugin]);

const root = fileURLToPath(new URL("..", import.meta.url));

describe("backfill.config.ts", () => {
  it("asks for expiring offline tokens whose refresh token rotates", () => {
    const oauth = manifest.connection.oauth!;
    expect(oauth.tokenRequestParams).toEqual({ expiring: "1" });
    expect(oauth.refresh).toEqual({ enabled: true, rotatesRefreshToken: true });
    expect(oauth.token).toMatchObject({
      accessTokenPath: "access_token",
      refreshTokenPath: "refresh_token",
      expiresInPath: "expires_in",
      refreshExpiresInPath: "refresh_token_expires_in",
      scopePath: "scope",
    });
    expect(oauth.scopeSeparator).toBe(",");
    expect(oauth.callbackVerifiers).toEqual(["shopifyHmac"]);
    expect(oauth.scopes).toEqual(["read_customers", "read_orders"]);
    // The app's client secret under its own name, so a merchant's webhook_secret never hides it.
    expect(oauth.client.webhookSecret).toBe("app_webhook_secret");
    expect(manifest.permissions.secrets).toEqual({ webhook_secret: ["read"], app_webhook_secret: ["read"] });
    expect(manifest.connection.settingsSchema.properties).not.toHaveProperty("app_webhook_secret");
  });

  it("declares the two streams and their entities (refund receipts are read in the orders pass)", () => {
    expect(manifest.streams).toEqual([
      { name: "customers", route: "/sync/customers", entity: "customer" },
      { name: "orders", route: "/sync/orders", entity: "sales_receipt" },
    ]);
  });

  it("the guide's non-expiring variant (custom apps: refresh disabled) still validates", () => {
    const { tokenRequestParams: _expiring, ...oauth } = manifestInput.connection.oauth;
    const variant = {
      ...manifestInput,
      connection: { ...manifestInput.connection, oauth: { ...oauth, refresh: { enabled: false }, token: { accessTokenPath: "access_token", scopePath: "scope" } } },
    };
    const result = validateManifest(variant);
    expect(result.problems).toEqual([]);
    expect(result.manifest?.connection.oauth?.refresh.enabled).toBe(false);
  });

  it("refuses a client-secret setting (the host keeps app credentials)", () => {
    const variant = {
      ...manifestInput,
      connection: {
        ...manifestInput.connection,
        settingsSchema: {
          ...manifestInput.connection.settingsSchema,
          properties: { ...manifestInput.connection.settingsSchema.properties, shopify_client_secret: { type: "string", "x-secret": true } },
        },
      },
      permissions: { ...manifestInput.permissions, secrets: { ...manifestInput.permissions.secrets, shopify_client_secret: ["read"] } },
    };
    expect(validateManifest(variant).problems.map((p) => p.rule)).toContain("no_token_settings");
  });

  it("normalizes what a merchant types and refuses other hosts", () => {
    for (const typed of ["acme", "ACME.myshopify.com", "https://acme.myshopify.com/", "admin.shopify.com/store/acme"]) {
      expect(validateSettings(manifest, { shop_domain: typed }, { providers })).toEqual({ ok: true, settings: { shop_domain: "acme.myshopify.com" } });
    }
    for (const typed of ["evil.com#.myshopify.com", "acme.myshopify.com.evil.com", "acme.myshopify.com:8443"]) {
      expect(validateSettings(manifest, { shop_domain: typed }, { providers }).ok).toBe(false);
    }
  });

  it("every route the manifest names exists", async () => {
    const report = await validateConnectorDir(root);
    expect(report.problems).toEqual([]);
    expect(report.checks.filter((c) => !c.ok)).toEqual([]);
  });
});
