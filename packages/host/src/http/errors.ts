// The one reading of an outbound request's failure. undici's errors (connect, headers and body
// timeouts, a socket that broke), a caller's deadline or abort and an over-size body become a
// HostHttpError with one of the host's stable codes; a route's Http and Files.download see the
// SDK codes that cross the worker bridge (routeCallError). Messages name the method and the URL
// without its query or userinfo (describeUrl), never a header or a body.
import { errors as undiciErrors } from "undici";
import { BackfillError, HTTP_ERROR, PERMISSION_DENIED, TIMEOUT } from "@backfill-io/sdk";
import { describeUrl } from "@backfill-io/sdk/policy";

/** The request did not finish in time: connecting, the response headers, a body that stopped arriving, or the caller's deadline. */
export const HTTP_TIMEOUT = "http_timeout";
/** The connection failed or broke (refused, reset, DNS, TLS). */
export const HTTP_NETWORK = "http_network";
/** The response is larger than the request's limit. */
export const HTTP_TOO_LARGE = "http_too_large";
/** The URL is not an absolute URL. */
export const HTTP_INVALID_URL = "http_invalid_url";
/** The caller set a header only the HTTP stack sets (Host: a CDN routes on it, so a caller's would reach hosts never allowed). */
export const HTTP_HEADER_FORBIDDEN = "http_header_forbidden";

export type HostHttpErrorCode = typeof HTTP_TIMEOUT | typeof HTTP_NETWORK | typeof HTTP_TOO_LARGE | typeof HTTP_INVALID_URL | typeof HTTP_HEADER_FORBIDDEN;

export class HostHttpError extends BackfillError<HostHttpErrorCode> {
  constructor(code: HostHttpErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, undefined, options);
    this.name = "HostHttpError";
  }
}

/** `GET https://host/path`: how a request is named in messages. */
export function describeRequest(method: string, url: URL | string): string {
  return `${method} ${describeUrl(typeof url === "string" ? url : url.href)}`;
}

function isTimeout(error: unknown): boolean {
  const name = (error as { name?: unknown } | null)?.name;
  return (
    error instanceof undiciErrors.ConnectTimeoutError ||
    error instanceof undiciErrors.HeadersTimeoutError ||
    // The caller's signal: AbortSignal.timeout (TimeoutError) or an abort (AbortError): the host's signals are deadlines.
    name === "TimeoutError" ||
    name === "AbortError"
  );
}

/** Any failure of the request named `shown` (describeRequest) as a HostHttpError. */
export function outboundError(error: unknown, shown: string): HostHttpError {
  if (error instanceof HostHttpError) return error;
  if (error instanceof undiciErrors.BodyTimeoutError) return new HostHttpError(HTTP_TIMEOUT, `${shown}: stopped sending data`);
  if (isTimeout(error)) return new HostHttpError(HTTP_TIMEOUT, `${shown}: timed out`);
  const code = (error as { code?: unknown } | null)?.code;
  const name = (error as { name?: unknown } | null)?.name;
  const what = typeof code === "string" ? code : typeof name === "string" ? name : "unknown";
  return new HostHttpError(HTTP_NETWORK, `${shown}: request failed (${what})`);
}

/** The response of `shown` is over `maxBytes`. */
export function tooLargeError(shown: string, maxBytes: number): HostHttpError {
  return new HostHttpError(HTTP_TOO_LARGE, `${shown}: the response is larger than ${maxBytes} bytes`);
}

/** A failure of a route's `Http` or `Files.download` call, with the SDK code the route sees. */
export function routeCallError(call: "Http" | "Files.download", error: unknown, shown: string): BackfillError {
  // The SDK's own errors (e.g. permission_denied) pass as they are; the host's are mapped to the route's codes.
  if (error instanceof BackfillError && !(error instanceof HostHttpError)) return error;
  const failure = outboundError(error, shown);
  const code = failure.code === HTTP_TIMEOUT ? TIMEOUT : failure.code === HTTP_HEADER_FORBIDDEN ? PERMISSION_DENIED : HTTP_ERROR;
  return new BackfillError(code, `${call}: ${failure.message}`);
}
