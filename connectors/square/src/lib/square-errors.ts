// Square answers failures as `{ errors: [{ category, code, detail, field }] }`. This file
// turns such a response into one typed error with a message built from those fields and
// the request's method and path only: never a header, a query string or a token.
import type { HttpResponse } from "@backfill-io/sdk";
import { DEFAULT_RETRY_AFTER_SECONDS, retryAfterHeaderSeconds } from "@backfill-io/oauth-helpers";
import type { SquareErrorEntry } from "./square-types.js";

export type SquareFailureKind = "rate_limited" | "invalid_cursor" | "unauthorized" | "forbidden" | "not_found" | "provider";

export class SquareApiError extends Error {
  readonly code = "square_api_error" as const;
  readonly status: number;
  readonly kind: SquareFailureKind;
  readonly errors: SquareErrorEntry[];
  /** Seconds to wait before retrying, for rate limits. */
  readonly retryAfterSeconds: number | undefined;

  constructor(init: { status: number; kind: SquareFailureKind; errors: SquareErrorEntry[]; request: string; retryAfterSeconds?: number }) {
    const first = init.errors[0];
    const what = first ? `${first.category ?? "ERROR"}/${first.code ?? "UNKNOWN"}${first.detail ? `: ${first.detail}` : ""}` : "no error details";
    super(`Square ${init.request} failed with ${init.status} (${what})`);
    this.name = "SquareApiError";
    this.status = init.status;
    this.kind = init.kind;
    this.errors = init.errors;
    this.retryAfterSeconds = init.retryAfterSeconds;
  }

  hasCode(code: string): boolean {
    return this.errors.some((e) => e.code === code);
  }

  /** Safe to put in a response: status and Square's own error entries (category, code, detail, field). */
  toDetails(): Record<string, unknown> {
    return { status: this.status, errors: this.errors.map(({ category, code, detail, field }) => ({ category, code, detail, field })) };
  }
}

export function isSquareApiError(error: unknown): error is SquareApiError {
  return error instanceof SquareApiError;
}

/** Code of the error made for a 2xx whose body is not a JSON object (cut short in transit). */
export const MALFORMED_RESPONSE = "MALFORMED_RESPONSE";

/**
 * Failures that say nothing about the request itself: throttling, Square's 5xx and a body
 * cut short. The same request may well succeed on its own a moment later, so work done
 * before it is worth keeping.
 */
export function isTransientSquareError(error: unknown): error is SquareApiError {
  if (!isSquareApiError(error)) return false;
  if (error.kind === "rate_limited") return true;
  return error.kind === "provider" && (error.status >= 500 || error.hasCode(MALFORMED_RESPONSE));
}

/** A 2xx whose body did not parse as a JSON object (the host hands such a body over as text). */
export function malformedResponseError(status: number, request: string): SquareApiError {
  return new SquareApiError({
    status,
    kind: "provider",
    errors: [{ category: "API_ERROR", code: MALFORMED_RESPONSE, detail: "The response body is not a JSON object." }],
    request,
  });
}

function errorEntries(body: unknown): SquareErrorEntry[] {
  const errors = (body as { errors?: unknown } | null)?.errors;
  if (!Array.isArray(errors)) return [];
  return errors
    .filter((e): e is Record<string, unknown> => !!e && typeof e === "object")
    .map((e) => ({
      ...(typeof e.category === "string" ? { category: e.category } : {}),
      ...(typeof e.code === "string" ? { code: e.code } : {}),
      ...(typeof e.detail === "string" ? { detail: e.detail } : {}),
      ...(typeof e.field === "string" ? { field: e.field } : {}),
    }));
}

/**
 * Classifies a non-2xx response (or a 2xx that still carries `errors`). `request` is
 * "METHOD /path" without the query string.
 */
export function squareErrorFrom(response: HttpResponse, request: string): SquareApiError {
  const errors = errorEntries(response.body);
  const has = (code: string) => errors.some((e) => e.code === code);
  let kind: SquareFailureKind = "provider";
  if (response.status === 429 || has("RATE_LIMITED") || errors.some((e) => e.category === "RATE_LIMIT_ERROR")) kind = "rate_limited";
  else if (has("INVALID_CURSOR")) kind = "invalid_cursor";
  else if (response.status === 401) kind = "unauthorized";
  else if (response.status === 403) kind = "forbidden";
  else if (response.status === 404) kind = "not_found";
  return new SquareApiError({
    status: response.status,
    kind,
    errors,
    request,
    ...(kind === "rate_limited" ? { retryAfterSeconds: retryAfterHeaderSeconds(response.headers) ?? DEFAULT_RETRY_AFTER_SECONDS } : {}),
  });
}
