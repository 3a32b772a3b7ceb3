// Shared pieces of the /v2 routes: the Hono env, Square's error responses, bearer-token
// authentication with scopes, query parsing and cursor-paged responses.

import type { Context, MiddlewareHandler } from "hono";
import type { SquareEmulatorState } from "../state.js";
import type { AccessTokenRecord } from "../tokens.js";
import type { MerchantData, SquareError } from "../types.js";

export interface SquareEnv {
  Variables: { grant: AccessTokenRecord; data: MerchantData };
}

export function errorResponse(c: Context, status: 400 | 401 | 403 | 404, ...errors: SquareError[]): Response {
  return c.json({ errors }, status);
}

export function invalidRequest(code: string, detail: string, field?: string): SquareError {
  return field === undefined ? { category: "INVALID_REQUEST_ERROR", code, detail } : { category: "INVALID_REQUEST_ERROR", code, detail, field };
}

export const badRequest = (c: Context, code: string, detail: string, field?: string) => errorResponse(c, 400, invalidRequest(code, detail, field));

export const notFound = (c: Context, detail: string) => errorResponse(c, 404, invalidRequest("NOT_FOUND", detail));

/**
 * Authenticates `Authorization: Bearer <token>`. The detail never echoes the token; the code
 * tells expired (ACCESS_TOKEN_EXPIRED) and revoked (ACCESS_TOKEN_REVOKED) apart from unknown.
 */
export function requireAccessToken(state: SquareEmulatorState): MiddlewareHandler<SquareEnv> {
  return async (c, next) => {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(c.req.header("authorization") ?? "");
    const check = match ? state.oauth.checkAccessToken(match[1]!) : ({ ok: false, code: "UNAUTHORIZED" } as const);
    if (!check.ok) {
      return errorResponse(c, 401, { category: "AUTHENTICATION_ERROR", code: check.code, detail: "This request could not be authorized." });
    }
    const data = state.merchants.get(check.record.merchantId);
    if (!data) return errorResponse(c, 401, { category: "AUTHENTICATION_ERROR", code: "UNAUTHORIZED", detail: "This request could not be authorized." });
    c.set("grant", check.record);
    c.set("data", data);
    await next();
  };
}

export function requireScope(scope: string): MiddlewareHandler<SquareEnv> {
  return async (c, next) => {
    if (!c.get("grant").scopes.includes(scope)) {
      return errorResponse(c, 403, {
        category: "AUTHENTICATION_ERROR",
        code: "INSUFFICIENT_SCOPES",
        detail: `The merchant has not given your application sufficient permissions to do this. Required scope: ${scope}.`,
      });
    }
    await next();
  };
}

export type Parsed<T> = { ok: true; value: T } | { ok: false; error: SquareError };

export function parseLimit(raw: unknown, field: string, defaults: { fallback: number; max: number }): Parsed<number> {
  if (raw === undefined || raw === null || raw === "") return { ok: true, value: defaults.fallback };
  const value = typeof raw === "number" ? raw : Number(raw);
  if (!Number.isInteger(value)) return { ok: false, error: invalidRequest("INVALID_VALUE", `Expected ${field} to be an integer.`, field) };
  if (value < 1) return { ok: false, error: invalidRequest("VALUE_TOO_LOW", `The value of ${field} must be at least 1.`, field) };
  if (value > defaults.max) return { ok: false, error: invalidRequest("VALUE_TOO_HIGH", `The value of ${field} must be at most ${defaults.max}.`, field) };
  return { ok: true, value };
}

/**
 * A limit Square clamps instead of refusing (ListPayments, ListPaymentRefunds: "greater than
 * 100 returns no more than 100"; SearchOrders serves at most 500 whatever is asked): only a
 * non-integer is an error; below 1 or absent is the default, above the maximum the maximum.
 */
export function clampLimit(raw: unknown, field: string, defaults: { fallback: number; max: number }): Parsed<number> {
  if (raw === undefined || raw === null || raw === "") return { ok: true, value: defaults.fallback };
  const value = typeof raw === "number" ? raw : Number(raw);
  if (!Number.isInteger(value)) return { ok: false, error: invalidRequest("INVALID_VALUE", `Expected ${field} to be an integer.`, field) };
  if (value < 1) return { ok: true, value: defaults.fallback };
  return { ok: true, value: Math.min(value, defaults.max) };
}

/** An RFC 3339 time as ms since epoch; undefined when absent. */
export function parseTime(raw: unknown, field: string): Parsed<number | undefined> {
  if (raw === undefined || raw === null || raw === "") return { ok: true, value: undefined };
  const value = typeof raw === "string" && /^\d{4}-\d{2}-\d{2}T/.test(raw) ? Date.parse(raw) : Number.NaN;
  if (Number.isNaN(value)) return { ok: false, error: invalidRequest("INVALID_TIME", `Invalid RFC 3339 timestamp for ${field}.`, field) };
  return { ok: true, value };
}

export function parseEnum<T extends string>(raw: unknown, field: string, allowed: readonly T[], fallback: T): Parsed<T> {
  if (raw === undefined || raw === null || raw === "") return { ok: true, value: fallback };
  if (typeof raw === "string" && (allowed as readonly string[]).includes(raw)) return { ok: true, value: raw as T };
  return { ok: false, error: invalidRequest("INVALID_ENUM_VALUE", `Expected ${field} to be one of ${allowed.join(", ")}.`, field) };
}

/** Time ranges are half-open: start inclusive, end exclusive, so adjacent windows never overlap. */
export function inRange(isoTime: string | undefined, start: number | undefined, end: number | undefined): boolean {
  if (start === undefined && end === undefined) return true;
  if (isoTime === undefined) return false;
  const ms = Date.parse(isoTime);
  return (start === undefined || ms >= start) && (end === undefined || ms < end);
}

/** Sorts by a timestamp field, ties broken by id so pages are stable. */
export function sortByTime<T extends { id: string }>(records: T[], time: (record: T) => string | undefined, order: "ASC" | "DESC"): T[] {
  const direction = order === "ASC" ? 1 : -1;
  return [...records].sort((a, b) => {
    const delta = Date.parse(time(a) ?? "") - Date.parse(time(b) ?? "");
    if (delta !== 0) return delta * direction;
    return (a.id < b.id ? -1 : a.id > b.id ? 1 : 0) * direction;
  });
}

export async function readJsonBody(c: Context): Promise<Parsed<Record<string, unknown>>> {
  const contentType = c.req.header("content-type") ?? "";
  if (!contentType.toLowerCase().includes("application/json")) {
    return { ok: false, error: invalidRequest("INVALID_CONTENT_TYPE", "Content-Type must be application/json.") };
  }
  const text = await c.req.text();
  if (text.trim() === "") return { ok: true, value: {} };
  try {
    const body: unknown = JSON.parse(text);
    if (body && typeof body === "object" && !Array.isArray(body)) return { ok: true, value: body as Record<string, unknown> };
  } catch {
    // fall through to the error below
  }
  return { ok: false, error: invalidRequest("BAD_REQUEST", "The request body is not a JSON object.") };
}

export const asObject = (value: unknown): Record<string, unknown> => (value && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>) : {});

/**
 * Serves one cursor page as `{ [key]: records, cursor? }`; Square leaves out empty lists and a
 * missing next page, so an empty result is `{}`.
 */
export function pageResponse<T extends { id: string }>(
  c: Context,
  state: SquareEmulatorState,
  page: { scope: string; cursor: string | undefined; limit: number; key: string },
  matches: () => T[],
  lookup: (id: string) => T | undefined,
  render: (record: T) => unknown = (record) => record,
  options: { count?: boolean } = {},
): Response {
  let total = 0;
  const result = state.cursors.page(page.scope, page.cursor, page.limit, () => {
    const ids = matches().map((record) => record.id);
    total = ids.length;
    return ids;
  });
  if (!result.ok) return errorResponse(c, 400, result.error);
  const records = result.ids.map(lookup).filter((record): record is T => record !== undefined);
  const body: Record<string, unknown> = {};
  if (records.length > 0) body[page.key] = records.map(render);
  if (result.cursor !== undefined) body.cursor = result.cursor;
  // count=true: the total of matches of the whole query (not the page), as Square sends it.
  if (options.count) body.count = page.cursor === undefined ? total : matches().length;
  return c.json(body);
}

/** A stable scope string for a cursor: endpoint, merchant and the normalized query. */
export function cursorScope(endpoint: string, merchantId: string, query: unknown): string {
  return `${endpoint}|${merchantId}|${JSON.stringify(query)}`;
}
