// One JSON error shape for every answer of the host server: a stable code, a message
// without secrets, an optional fix, the request id.
import type { Context } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { OAuthFlowError, OAuthFlowErrorCode } from "../oauth/errors.js";

export function errorJson(c: Context, status: ContentfulStatusCode, code: string, message: string, fix?: string) {
  return c.json({ error: { code, message, ...(fix ? { fix } : {}), requestId: c.get("requestId") } }, status);
}

/** The HTTP status of each flow error a client can cause; anything else is a 400. */
const FLOW_ERROR_STATUS: Partial<Record<OAuthFlowErrorCode, ContentfulStatusCode>> = {
  connect_session_required: 401,
  connect_session_invalid: 401,
  connect_session_expired: 401,
  connect_session_used: 401,
  connector_not_allowed: 403,
  browser_mismatch: 403,
  connector_not_found: 404,
  connection_not_found: 404,
};

/** The HTTP status an OAuthFlowError is answered with. */
export function flowErrorStatus(error: OAuthFlowError): 400 | 401 | 403 | 404 {
  return (FLOW_ERROR_STATUS[error.code] ?? 400) as 400 | 401 | 403 | 404;
}

/** An OAuthFlowError as its JSON answer. */
export function flowErrorJson(c: Context, error: OAuthFlowError) {
  return errorJson(c, flowErrorStatus(error), error.code, error.message, error.fix);
}

/** A `limit` query value clamped to 1..max (SQLite reads a negative LIMIT as none). */
export function clampLimit(value: string | undefined, fallback = 100, max = 1000): number {
  const n = Number.parseInt(value ?? "", 10);
  if (!Number.isFinite(n)) return fallback;
  return Math.min(Math.max(n, 1), max);
}
