// Shared helpers for the Square emulator tests: start/stop, JSON requests, OAuth round trips.

import { createHash, randomBytes } from "node:crypto";
import { startSquareEmulator, type RunningSquareEmulator, type StartSquareEmulatorOptions } from "../src/square/index.js";

// Canary credentials: tests assert these never show up in any response body.
export const APP = { clientId: "sq0idp-test-app", clientSecret: "sq0csp-CANARY-SECRET-7f3a", redirectUri: "http://127.0.0.1:9/callback" };
export const USD_MERCHANT = "MLEMUUSD0000001";
export const JPY_MERCHANT = "MLEMUJPY0000002";
export const KWD_MERCHANT = "MLEMUKWD0000003";

export function start(options: StartSquareEmulatorOptions = {}): Promise<RunningSquareEmulator> {
  return startSquareEmulator({ apps: [APP], seed: 42, autoApprove: true, defaultMerchantId: USD_MERCHANT, ...options });
}

/** A JSON object in a Square answer: its fields are `unknown` until a test narrows one. */
export type Json = Record<string, unknown>;

export type SquareErrorEntry = { category: string; code: string; detail?: string; field?: string };

/** ObtainToken's answer (and the RevokeToken/OAuth error fields beside it). */
export type SquareTokenAnswer = {
  access_token: string;
  refresh_token: string;
  refresh_token_expires_at: string;
  expires_at: string;
  merchant_id: string;
  token_type: string;
  short_lived: boolean;
  type?: string;
  message?: string;
};

/**
 * A Square answer as the tests read it: the fields of Square's documented response shapes some
 * test reads, by their Square names. Not validated: each test's assertions are the check.
 */
export type SquareAnswer = SquareTokenAnswer & {
  errors: SquareErrorEntry[];
  cursor?: string;
  count?: number;
  merchant: Json & { id: string; main_location_id: string };
  locations: (Json & { id: string; name: string })[];
  customers: (Json & { id: string; created_at: string; given_name?: string; family_name?: string })[];
  orders: (Json & { id: string })[];
  order_entries: Json[];
  refunds: (Json & { id: string; updated_at: string; unlinked?: boolean })[];
  payments: (Json & { id: string; created_at: string })[];
  payment: Json;
};

export interface JsonResponse {
  status: number;
  headers: Headers;
  text: string;
  body: SquareAnswer;
}

async function toJson(response: Response): Promise<JsonResponse> {
  const text = await response.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  return { status: response.status, headers: response.headers, text, body: body as SquareAnswer };
}

export async function postJson(url: string, body: unknown, headers: Record<string, string> = {}): Promise<JsonResponse> {
  return toJson(await fetch(url, { method: "POST", headers: { "content-type": "application/json", ...headers }, body: JSON.stringify(body) }));
}

export async function getJson(url: string, token?: string): Promise<JsonResponse> {
  return toJson(await fetch(url, { headers: token ? { authorization: `Bearer ${token}`, "square-version": "2025-01-23" } : {} }));
}

export function pkcePair(): { verifier: string; challenge: string } {
  const verifier = randomBytes(32).toString("base64url");
  return { verifier, challenge: createHash("sha256").update(verifier).digest("base64url") };
}

/** Runs GET /oauth2/authorize (auto-approve) and returns the redirect URL. */
export async function authorize(emulator: RunningSquareEmulator, params: Record<string, string> = {}): Promise<URL> {
  const query = new URLSearchParams({
    client_id: APP.clientId,
    scope: "MERCHANT_PROFILE_READ CUSTOMERS_READ ORDERS_READ PAYMENTS_READ",
    session: "false",
    state: "st-123",
    ...params,
  });
  const response = await fetch(`${emulator.url}/oauth2/authorize?${query.toString()}`, { redirect: "manual" });
  if (response.status !== 302) throw new Error(`authorize answered ${response.status}`);
  return new URL(response.headers.get("location")!);
}

/** Full code flow: authorize + ObtainToken. */
export async function codeFlowTokens(emulator: RunningSquareEmulator): Promise<SquareTokenAnswer> {
  const redirect = await authorize(emulator);
  const response = await postJson(`${emulator.url}/oauth2/token`, {
    client_id: APP.clientId,
    client_secret: APP.clientSecret,
    grant_type: "authorization_code",
    code: redirect.searchParams.get("code"),
    redirect_uri: APP.redirectUri,
  });
  if (response.status !== 200) throw new Error(`token exchange answered ${response.status}`);
  return response.body;
}
