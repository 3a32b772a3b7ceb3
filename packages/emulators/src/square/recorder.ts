// Recording mode: every exchange the emulator serves (method, path, query, status, request and
// response bodies) is written as one JSON file to a directory, so a contract test can parse
// each body with Square's own SDK schemas after an end-to-end run. On when the `recordDir`
// option or the BACKFILL_SQUARE_RECORD_DIR environment variable names a directory.
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { MiddlewareHandler } from "hono";

export const RECORD_DIR_ENV = "BACKFILL_SQUARE_RECORD_DIR";

export interface RecordedExchange {
  method: string;
  path: string;
  query: Record<string, string>;
  status: number;
  /** The parsed JSON request body, when there was one. */
  requestBody?: unknown;
  /** The parsed JSON response body; undefined with `responseText` when it is not JSON. */
  responseBody?: unknown;
  responseText?: string;
  /** An injected fault that shaped this response (a malformed body is meant to be broken). */
  fault?: string;
}

/** The context variable the fault middleware sets to the fault it served. */
export const FAULT_VARIABLE = "emulatorFault";

function parsed(text: string): { ok: true; value: unknown } | { ok: false } {
  if (text.trim() === "") return { ok: false };
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch {
    return { ok: false };
  }
}

export class ExchangeRecorder {
  private count = 0;
  /** Distinguishes emulators recording into one directory (several processes, restarts). */
  private readonly prefix = `${process.pid}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;

  constructor(readonly dir: string) {
    mkdirSync(dir, { recursive: true });
  }

  write(exchange: RecordedExchange): void {
    this.count += 1;
    writeFileSync(join(this.dir, `${this.prefix}-${String(this.count).padStart(6, "0")}.json`), JSON.stringify(exchange));
  }

  /** Records /v2 and token-endpoint exchanges (the JSON API; the consent pages are HTML). */
  middleware(): MiddlewareHandler {
    return async (c, next) => {
      const recorded = c.req.path.startsWith("/v2/") || c.req.path === "/oauth2/token" || c.req.path === "/oauth2/revoke";
      const requestText = recorded && c.req.method !== "GET" ? await c.req.text() : "";
      await next();
      if (!recorded) return;
      const responseText = await c.res.clone().text();
      const request = parsed(requestText);
      const response = parsed(responseText);
      const fault = c.get(FAULT_VARIABLE as never) as string | undefined;
      this.write({
        method: c.req.method,
        path: c.req.path,
        query: c.req.query(),
        status: c.res.status,
        ...(request.ok ? { requestBody: request.value } : {}),
        ...(response.ok ? { responseBody: response.value } : { responseText }),
        ...(fault ? { fault } : {}),
      });
    };
  }
}
