// Shared test setup: fixtures in Square's response shapes and a runtime seeded with a
// connected Square OAuth state whose tokens are canaries (checked never to leak).
import { readFileSync } from "node:fs";
import { createHmac } from "node:crypto";
import { afterEach } from "vitest";
import { connectorTestRuntime, RuntimeLeakCheck, type ConnectorTestRuntime, type ConnectorTestRuntimeOptions, type TestOAuthState } from "@backfill-io/sdk/testing";

export const ACCESS_TOKEN = "EAAAcanaryAccessToken_square_7f3e9d1c";
export const REFRESH_TOKEN = "EQAAcanaryRefreshToken_square_2b8a4e6f";
export const SIGNATURE_KEY = "canary-signature-key-4d2f91";
export const API = "https://connect.squareup.com";
export const SCOPES = ["MERCHANT_PROFILE_READ", "CUSTOMERS_READ", "ORDERS_READ", "PAYMENTS_READ"];

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- fixtures are edited freely in tests
export function fixture<T = any>(name: string): T {
  return JSON.parse(readFileSync(new URL(`./fixtures/${name}`, import.meta.url), "utf8")) as T;
}

export function fixtureText(name: string): string {
  return readFileSync(new URL(`./fixtures/${name}`, import.meta.url), "utf8");
}

let leakCheck = new RuntimeLeakCheck([ACCESS_TOKEN, REFRESH_TOKEN]);

/** Registers a runtime for the leak check of expectNoLeaksAfterEach (squareRuntime does this itself). */
export function leakChecked(runtime: ConnectorTestRuntime): ConnectorTestRuntime {
  return leakCheck.track(runtime);
}

/** After each test, every runtime made for it leaked none of `secrets`, and is restored. */
export function expectNoLeaksAfterEach(secrets: readonly string[] = [ACCESS_TOKEN, REFRESH_TOKEN]): void {
  leakCheck = new RuntimeLeakCheck(secrets);
  afterEach(() => leakCheck.finish());
}

export function squareRuntime(opts: Omit<ConnectorTestRuntimeOptions, "oauth"> & { oauth?: Partial<TestOAuthState> } = {}) {
  const { oauth, settings, ...rest } = opts;
  return leakChecked(connectorTestRuntime({
    connector: { key: "square", provider: "square" },
    settings: { environment: "production", ...settings },
    oauth: { accessToken: ACCESS_TOKEN, refreshToken: REFRESH_TOKEN, scopes: SCOPES, requiredScopes: SCOPES, provider: "square", ...oauth },
    ...rest,
  }));
}

export function sign(key: string, url: string, body: string): string {
  return createHmac("sha256", key).update(url + body).digest("base64");
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- response bodies are inspected freely in tests
export async function json(response: Response): Promise<any> {
  return response.clone().json();
}
