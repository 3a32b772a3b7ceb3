// One model of "the provider did not give data", and one way a route answers it:
//   throttled (429, or what the provider calls throttling) → the retry signal: the host waits;
//   token rejected (401) → 401 reauth_required (revoked / expired): the host stops the run and
//     marks the connection instead of failing it again and again;
//   scopes missing (403) → 401 reauth_required (missing_scopes);
//   failed (5xx, a 2xx body cut short, anything else) → 502 provider_error with the
//     provider's own error entries.
// While validating a connection (setup) a rejected token is a 400 instead, as the guide's
// test_connection answers. No answer carries a token: failures hold statuses and the
// provider's error entries only.
import { api, BackfillError, isReauthRequired, log, retryAfterSeconds, type HttpResponse, type ReauthReason } from "@backfill-io/sdk";
import { missingProviderAccessResponse } from "../access.js";
import { PROVIDER_ERROR } from "../error-codes.js";

export { PROVIDER_ERROR };

export type ProviderFailure =
  | { kind: "throttled"; retryAfterSeconds: number; message: string }
  | { kind: "token_rejected"; reason: Extract<ReauthReason, "revoked" | "expired">; message: string; details?: Record<string, unknown> }
  | { kind: "scopes_missing"; message: string; details?: Record<string, unknown> }
  /** A 403 that is not about scopes: a provider error while syncing, a rejected token in setup. */
  | { kind: "forbidden"; message: string; details?: Record<string, unknown> }
  /** The cursor sent is no longer valid (expired): the stream engine restarts the query. */
  | { kind: "invalid_cursor"; code: string; message: string; details?: Record<string, unknown> }
  | { kind: "failed"; status: number; message: string; details?: Record<string, unknown> };

/**
 * A provider failure thrown through code that has no other way out (the stream engine catches it).
 * The class survives for its typed `failure`, which the stream engine and thrownFailureResponse
 * read after `instanceof` (a code alone would not say which answer the failure gets).
 */
export class ProviderFailureError extends BackfillError<typeof PROVIDER_ERROR> {
  constructor(readonly failure: ProviderFailure) {
    super(PROVIDER_ERROR, failure.message);
    this.name = "ProviderFailureError";
  }
}

/** Used when a provider throttles without saying how long to wait. */
export const DEFAULT_RETRY_AFTER_SECONDS = 2;

/** Retry-After as seconds (a number or an HTTP date), undefined when absent (the SDK's parser). */
export function retryAfterHeaderSeconds(headers: Record<string, string>): number | undefined {
  if (headers["retry-after"] === undefined) return undefined;
  // 503 asks the SDK's parser for the header only (it answers 1 for a bare 429).
  return retryAfterSeconds({ status: 503, headers }) ?? undefined;
}

export type HttpFailureOptions = {
  /** The provider's name in messages ("Square"). */
  provider: string;
  /** Statuses that mean "slow down" besides 429 (Shopify answers 503 so). */
  throttleStatuses?: readonly number[];
  details?: Record<string, unknown>;
};

/**
 * The failure an HTTP answer stands for, or undefined for a usable one (a 2xx whose body is
 * a JSON object). A 2xx whose body is not an object was cut short in transit: a failure, so
 * it never reads as "no such field".
 */
export function httpFailure(response: Pick<HttpResponse, "status" | "ok" | "headers" | "body">, opts: HttpFailureOptions): ProviderFailure | undefined {
  const { provider } = opts;
  const details = { status: response.status, ...(opts.details ?? {}) };
  if (response.status === 429 || (opts.throttleStatuses ?? []).includes(response.status)) {
    return { kind: "throttled", retryAfterSeconds: retryAfterHeaderSeconds(response.headers) ?? DEFAULT_RETRY_AFTER_SECONDS, message: `${provider} throttled the request` };
  }
  if (response.status === 401) return { kind: "token_rejected", reason: "revoked", message: `${provider} rejected the OAuth token`, details };
  if (response.status === 403) return { kind: "scopes_missing", message: `${provider} refused the token's access`, details };
  if (!response.ok) return { kind: "failed", status: response.status, message: `${provider} answered HTTP ${response.status}`, details };
  const body: unknown = response.body;
  if (!body || typeof body !== "object" || Array.isArray(body))
    return { kind: "failed", status: response.status, message: `${provider} answered with a body that is not a JSON object`, details };
  return undefined;
}

export type FailureResponseOptions = {
  stream?: string;
  /** "bad_request" while validating a connection (setup): the token's owner sees the status. */
  tokenRejected?: "reauth" | "bad_request";
};

/** The route's answer to a provider failure (see the file comment). */
export function providerFailureResponse(failure: ProviderFailure, opts: FailureResponseOptions = {}): Response {
  const where = opts.stream ? { stream: opts.stream } : {};
  switch (failure.kind) {
    case "throttled":
      log.warn("provider throttled the request", { ...where, retryAfterSeconds: failure.retryAfterSeconds });
      return api.retryAfter(failure.retryAfterSeconds, failure.message, where);
    case "token_rejected":
    case "scopes_missing":
      log.warn("provider refused the token", { ...where, kind: failure.kind, ...(failure.details ?? {}) });
      if (opts.tokenRejected === "bad_request") return api.badRequest(failure.message, { ...(failure.details ?? {}), ...where });
      return missingProviderAccessResponse(failure.kind === "scopes_missing" ? "missing_scopes" : failure.reason);
    case "forbidden":
      if (opts.tokenRejected === "bad_request") return api.badRequest(failure.message, { ...(failure.details ?? {}), ...where });
      return providerErrorResponse(failure, where);
    case "invalid_cursor":
    case "failed":
      return providerErrorResponse(failure, where);
  }
}

/** 502 provider_error with the provider's own error entries. */
function providerErrorResponse(failure: Exclude<ProviderFailure, { kind: "throttled" }>, where: Record<string, unknown>): Response {
  log.error("provider request failed", { ...where, ...(failure.details ?? {}) });
  return api.error(failure.message, { status: 502, code: PROVIDER_ERROR, details: { ...where, ...(failure.details ?? {}) } });
}

/**
 * The answer for an error thrown by provider calls: the SDK's reauth_required (no usable
 * token) → 401; a ProviderFailureError, or what `failureOf` recognises → the failure's
 * answer. Anything else is a defect and propagates (a 500 with a correlation id).
 */
export function thrownFailureResponse(error: unknown, failureOf: ((error: unknown) => ProviderFailure | undefined) | undefined, opts: FailureResponseOptions = {}): Response {
  if (isReauthRequired(error)) return missingProviderAccessResponse(error);
  const failure = error instanceof ProviderFailureError ? error.failure : failureOf?.(error);
  if (!failure) throw error;
  return providerFailureResponse(failure, opts);
}
