// Shared test setup: fixtures in Square's response shapes and a runtime seeded with a
// connected Square OAuth state whose tokens are canaries (checked never to leak).
import { createHmac } from "node:crypto";
import { afterEach } from "vitest";
import {
  CanaryGuard,
  connectorTestRuntime,
  fixtureReader,
  responseJson,
  type ConnectorTestRuntime,
  type ConnectorTestRuntimeOptions,
  type TestOAuthState,
} from "@backfill-io/sdk/testing";

export const ACCESS_TOKEN = "EAAAcanaryAccessToken_square_7f3e9d1c";
export const REFRESH_TOKEN = "EQAAcanaryRefreshToken_square_2b8a4e6f";
export const SIGNATURE_KEY = "canary-signature-key-4d2f91";
export const API = "https://connect.squareup.com";
export const SCOPES = ["MERCHANT_PROFILE_READ", "CUSTOMERS_READ", "ORDERS_READ", "PAYMENTS_READ"];

const fixtures = fixtureReader(new URL("./fixtures/", import.meta.url));
export const fixture = fixtures.json;
export const fixtureText = fixtures.text;
export const json = responseJson;

const canaries = new CanaryGuard([ACCESS_TOKEN, REFRESH_TOKEN]);

/** Registers a runtime for the leak check of expectNoLeaksAfterEach (squareRuntime does this itself). */
export function leakChecked(runtime: ConnectorTestRuntime): ConnectorTestRuntime {
  return canaries.track(runtime);
}

/** After each test, every runtime made for it leaked none of `secrets`, and is restored. */
export function expectNoLeaksAfterEach(secrets: readonly string[] = [ACCESS_TOKEN, REFRESH_TOKEN]): void {
  canaries.afterEach(afterEach, secrets);
}

export function squareRuntime(opts: Omit<ConnectorTestRuntimeOptions, "oauth"> & { oauth?: Partial<TestOAuthState> } = {}) {
  const { oauth, settings, ...rest } = opts;
  return leakChecked(
    connectorTestRuntime({
      connector: { key: "square", provider: "square" },
      settings: { environment: "production", ...settings },
      oauth: { accessToken: ACCESS_TOKEN, refreshToken: REFRESH_TOKEN, scopes: SCOPES, requiredScopes: SCOPES, provider: "square", ...oauth },
      ...rest,
    }),
  );
}

export function sign(key: string, url: string, body: string): string {
  return createHmac("sha256", key)
    .update(url + body)
    .digest("base64");
}
