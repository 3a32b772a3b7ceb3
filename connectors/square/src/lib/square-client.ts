// The Square API client: one pinned Square-Version, the base URL from the `environment`
// setting, and the host-managed bearer token (auth.oauth: the SDK attaches it only to
// the provider's own host, so this file never sees it).
import { Http, Settings, type HttpResponse } from "@backfill-io/sdk";
import { MIN_TOKEN_TTL_SECONDS } from "@backfill-io/oauth-helpers";
import { squareEnvironmentHost } from "../provider/index.js";
import { malformedResponseError, squareErrorFrom } from "./square-errors.js";

/** Square's API version, pinned: every request sends it as Square-Version. */
export const SQUARE_VERSION = "2025-10-16";

/**
 * The API host of the connection. The host has already normalized `environment` to a
 * host name (schema default production, hostValidation squareEnvironmentHost); the plug-in's
 * normalizer is applied again so a raw production/sandbox value maps the same way.
 */
export function squareHost(): string {
  const host = squareEnvironmentHost(Settings.get("environment"));
  if (!host.ok) throw new Error(host.message);
  return host.value;
}

export type Query = Record<string, string | number | boolean | undefined | null>;

const requestOptions = (query?: Query) => ({
  auth: { oauth: { minTtlSeconds: MIN_TOKEN_TTL_SECONDS } },
  headers: { "Square-Version": SQUARE_VERSION, Accept: "application/json" },
  ...(query ? { query } : {}),
});

function checked<T>(response: HttpResponse, request: string): T {
  if (!response.ok || (response.body && typeof response.body === "object" && Array.isArray((response.body as { errors?: unknown }).errors))) {
    throw squareErrorFrom(response, request);
  }
  // Square answers every v2 call with a JSON object; anything else was cut short in transit
  // and must not read as "no such field" (a refund would lose its order link).
  const body: unknown = response.body;
  if (body === null || body === undefined || body === "") return {} as T;
  if (typeof body !== "object" || Array.isArray(body)) throw malformedResponseError(response.status, request);
  return body as T;
}

/** GET a Square v2 path (e.g. "/v2/customers"); throws SquareApiError on failure. */
export function squareGet<T>(path: string, query?: Query): T {
  return squareGetWithDate<T>(path, query).body;
}

/** Like squareGet, plus Square's HTTP Date header (its clock), when sent. */
export function squareGetWithDate<T>(path: string, query?: Query): { body: T; date: string | undefined } {
  const response = Http.get(`https://${squareHost()}${path}`, requestOptions(query));
  return { body: checked<T>(response, `GET ${path}`), date: response.headers["date"] };
}

/** POST JSON to a Square v2 path; throws SquareApiError on failure. */
export function squarePost<T>(path: string, body: unknown): T {
  return squarePostWithDate<T>(path, body).body;
}

export function squarePostWithDate<T>(path: string, body: unknown): { body: T; date: string | undefined } {
  const response = Http.post(`https://${squareHost()}${path}`, body, {
    ...requestOptions(),
    headers: { ...requestOptions().headers, "Content-Type": "application/json" },
  });
  return { body: checked<T>(response, `POST ${path}`), date: response.headers["date"] };
}
