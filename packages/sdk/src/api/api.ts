// Route handlers: `api(handler)` wraps a handler that gets the request and returns a
// Web-standard Response. An uncaught error becomes a 500 with a correlation id and a
// redacted message; a reauth_required error becomes a 401 with its reason.
import { randomUUID } from "node:crypto";
import { redact } from "../redaction/redactor.js";
import { isReauthRequired } from "../runtime/errors.js";
import { isHostBound, currentBinding } from "../runtime/binding.js";
import { JsonResponse } from "./json-response.js";

export type RouteRequest = {
  method: string;
  /** The route path, e.g. /sync/orders. */
  path: string;
  query: Record<string, string>;
  /** Lower-case header names. */
  headers: Record<string, string>;
  /** Parsed JSON body (or form fields), undefined when empty. */
  body: unknown;
  /**
   * The body as text: the bytes decoded as UTF-8 (a BOM kept, invalid bytes replaced by
   * U+FFFD). Not for signatures: a non-UTF-8 body does not survive decoding.
   */
  rawBody: string;
  /** The body exactly as received: verify signatures over these bytes. */
  rawBodyBytes: Uint8Array;
};

/** What a caller passes: `rawBodyBytes` (the wire bytes), else `rawBody` (sent as UTF-8), else `body` (as JSON). */
export type RouteInput = Partial<RouteRequest>;
export type RouteHandler = (request: RouteRequest) => Response | Promise<Response>;
export type Route = ((input?: RouteInput) => Promise<Response>) & { readonly __backfillRoute: true };

export type ErrorBody = { error: { code: string; message: string; fix?: string; details?: Record<string, unknown>; correlationId?: string } };

const UTF8_BOM = "\uFEFF";

function parseBody(text: string, contentType: string | undefined): unknown {
  // A BOM is not part of the JSON (RFC 8259 lets a parser ignore it).
  const raw = text.startsWith(UTF8_BOM) ? text.slice(1) : text;
  if (!raw) return undefined;
  if (contentType?.includes("application/x-www-form-urlencoded")) return Object.fromEntries(new URLSearchParams(raw));
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    return raw;
  }
}

/** One decoder for every route input (not streaming, so it keeps no state between calls): building one cost more than a page's decode. */
const UTF8 = new TextDecoder("utf-8", { ignoreBOM: true });

export function normalizeRouteInput(input: RouteInput = {}): RouteRequest {
  const headers = Object.fromEntries(Object.entries(input.headers ?? {}).map(([k, v]) => [k.toLowerCase(), String(v)]));
  const bytes = rawBodyBytesOf(input);
  const rawBody = input.rawBody ?? UTF8.decode(bytes);
  return {
    method: (input.method ?? "POST").toUpperCase(),
    path: input.path ?? "/",
    query: input.query ?? {},
    headers,
    body: input.body !== undefined ? input.body : parseBody(rawBody, headers["content-type"]),
    rawBody,
    rawBodyBytes: bytes,
  };
}

function rawBodyBytesOf(input: RouteInput): Uint8Array {
  // A Buffer (or a Uint8Array that crossed a worker boundary) is viewed, not copied.
  if (input.rawBodyBytes) return new Uint8Array(input.rawBodyBytes.buffer, input.rawBodyBytes.byteOffset, input.rawBodyBytes.byteLength);
  const text = input.rawBody ?? (input.body === undefined ? "" : typeof input.body === "string" ? input.body : JSON.stringify(input.body));
  return new TextEncoder().encode(text);
}

function errorResponse(status: number, code: string, message: string, details?: Record<string, unknown>, headers?: Record<string, string>): Response {
  const body: ErrorBody = { error: { code, message, ...(details ? { details } : {}) } };
  return Response.json(redact(body), { status, ...(headers ? { headers } : {}) });
}

function wrap(handler: RouteHandler): Route {
  const route = async (input?: RouteInput): Promise<Response> => {
    const request = normalizeRouteInput(input);
    try {
      const response = await handler(request);
      if (!(response instanceof Response)) {
        throw new TypeError("route handler must return a Response (use api.json, api.badRequest, ...)");
      }
      return response;
    } catch (error) {
      if (isReauthRequired(error)) {
        return errorResponse(401, "reauth_required", "OAuth connection is not authorized", {
          reason: error.reason ?? "missing_token",
          ...(error.missingScopes ? { missingScopes: error.missingScopes } : {}),
        });
      }
      const correlationId = randomUUID();
      const safe = redact(error instanceof Error ? error : new Error(String(error)));
      if (isHostBound()) {
        currentBinding("log.error").log("error", "route failed", {
          correlationId,
          error: { name: safe.name, message: safe.message, stack: safe.stack, code: (safe as { code?: unknown }).code },
        });
      }
      const code = typeof (error as { code?: unknown })?.code === "string" ? String((error as { code: string }).code) : "internal_error";
      const fix = typeof (error as { fix?: unknown })?.fix === "string" ? redact((error as { fix: string }).fix) : undefined;
      const body: ErrorBody = { error: { code, message: safe.message || "internal error", ...(fix ? { fix } : {}), correlationId } };
      return Response.json(body, { status: 500, headers: { "x-correlation-id": correlationId } });
    }
  };
  return Object.assign(route, { __backfillRoute: true as const });
}

/** The body api.json wrote for this Response, while nobody has read it; undefined for any other Response. */
export function serialisedBodyText(response: Response): string | undefined {
  return JsonResponse.unreadText(response);
}

export function isRoute(value: unknown): value is Route {
  return typeof value === "function" && (value as { __backfillRoute?: unknown }).__backfillRoute === true;
}

export const api = Object.assign(wrap, {
  json(data: unknown, init: ResponseInit = {}): Response {
    // As Response.json: the same refusal of what JSON cannot carry, the same default content-type.
    const text = JSON.stringify(data);
    if (text === undefined) throw new TypeError("api.json: the value cannot be serialised to JSON");
    // Without headers of the route's, a plain object: a Headers built here cost half the Response again.
    let headers: Headers | Record<string, string> = { "content-type": "application/json" };
    if (init.headers !== undefined) {
      headers = new Headers(init.headers);
      if (!headers.has("content-type")) headers.set("content-type", "application/json");
    }
    // Its body stream is built only if something reads it: the host takes the text (serialisedBodyText).
    return JsonResponse.of(text, { ...init, headers });
  },
  text(text: string, init: ResponseInit = {}): Response {
    return new Response(text, { ...init, headers: { "content-type": "text/plain; charset=utf-8", ...(init.headers as Record<string, string>) } });
  },
  noContent(): Response {
    return new Response(null, { status: 204 });
  },
  badRequest(message: string, details?: Record<string, unknown>): Response {
    return errorResponse(400, "bad_request", message, details);
  },
  unauthorized(message: string, details?: Record<string, unknown>): Response {
    return errorResponse(401, "unauthorized", message, details);
  },
  notFound(message = "not found", details?: Record<string, unknown>): Response {
    return errorResponse(404, "not_found", message, details);
  },
  error(message: string, opts: { status?: number; code?: string; details?: Record<string, unknown> } = {}): Response {
    const status = opts.status ?? 500;
    return errorResponse(status, opts.code ?? (status === 401 ? "unauthorized" : status < 500 ? "bad_request" : "internal_error"), message, opts.details);
  },
  /**
   * The retry signal: the provider throttled, so the host (not the route) waits
   * `seconds` and calls the route again. Nothing from this invocation is committed.
   */
  retryAfter(seconds: number, reason = "provider throttled", details?: Record<string, unknown>): Response {
    const wait = Math.max(0, Math.ceil(seconds));
    return errorResponse(429, "retry_after", reason, { retryAfterSeconds: wait, ...(details ?? {}) }, { "retry-after": String(wait) });
  },
});

/** Reads the retry signal from a route response: seconds to wait, or null. */
export function retryAfterSeconds(response: { status: number; headers: Headers | Record<string, string> }): number | null {
  if (response.status !== 429 && response.status !== 503) return null;
  const raw = response.headers instanceof Headers ? response.headers.get("retry-after") : response.headers["retry-after"];
  if (raw == null) return response.status === 429 ? 1 : null;
  const seconds = Number(raw);
  if (Number.isFinite(seconds)) return Math.max(0, seconds);
  const date = Date.parse(raw);
  return Number.isFinite(date) ? Math.max(0, Math.ceil((date - Date.now()) / 1000)) : 1;
}
