// Square-Version: every /v2 request is processed at one API version, and every response says
// which (the Square-Version response header). Without the header the app's pinned version
// applies; a value that is not a YYYY-MM-DD date, or a date Square never released, is refused
// with 400 before anything else happens ("Requesting an API version that does not exist
// returns an error").
import type { MiddlewareHandler } from "hono";
import { errorResponse } from "./api/context.js";

/** The version an app is pinned to when a request sends none (the emulated app's default). */
export const DEFAULT_SQUARE_VERSION = "2025-10-16";

/**
 * The versions this emulator serves: Square's releases that clients in this repository and the
 * official SDK it is checked against pin (square@46 sends 2026-09-16).
 */
export const KNOWN_SQUARE_VERSIONS: ReadonlySet<string> = new Set(["2025-01-23", "2025-04-16", "2025-07-16", "2025-10-16", "2026-01-22", "2026-09-16"]);

const VERSION_FORMAT = /^\d{4}-\d{2}-\d{2}$/;

export function squareVersionMiddleware(): MiddlewareHandler {
  return async (c, next) => {
    const sent = c.req.header("square-version")?.trim();
    if (sent !== undefined && sent !== "" && !VERSION_FORMAT.test(sent)) {
      return errorResponse(c, 400, {
        category: "INVALID_REQUEST_ERROR",
        code: "INVALID_SQUARE_VERSION_FORMAT",
        detail: "Square-Version must be a date in the form YYYY-MM-DD.",
        field: "Square-Version",
      });
    }
    if (sent && !KNOWN_SQUARE_VERSIONS.has(sent)) {
      return errorResponse(c, 400, {
        category: "INVALID_REQUEST_ERROR",
        code: "API_VERSION_INCOMPATIBLE",
        detail: `Square-Version ${sent} does not exist.`,
        field: "Square-Version",
      });
    }
    c.header("Square-Version", sent || DEFAULT_SQUARE_VERSION);
    await next();
    c.res.headers.set("Square-Version", sent || DEFAULT_SQUARE_VERSION);
  };
}
