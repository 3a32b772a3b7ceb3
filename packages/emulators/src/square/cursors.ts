// Opaque pagination cursors. A cursor remembers the ids its query matched when the first page
// was served, so paging returns every record exactly once even while data changes underneath;
// records changed meanwhile are served in their current version. Cursors can be replayed (a
// client retrying after a 5xx) until they expire, 5 minutes after being issued.

import { randomBytes } from "node:crypto";
import type { SquareError } from "./types.js";

export const CURSOR_TTL_MS = 5 * 60_000;

interface CursorEntry {
  /** Endpoint, merchant and normalized query: a cursor only continues the query that issued it. */
  scope: string;
  ids: string[];
  offset: number;
  issuedAtMs: number;
}

export type PageResult = { ok: true; ids: string[]; cursor?: string } | { ok: false; error: SquareError };

export class CursorStore {
  private readonly entries = new Map<string, CursorEntry>();

  constructor(
    private readonly now: () => number,
    private readonly ttlMs = CURSOR_TTL_MS,
  ) {}

  /**
   * Serves one page of `limit` ids. Without a cursor, `matchIds()` runs the query now;
   * with one, the page continues from the ids the first page captured.
   */
  page(scope: string, cursor: string | undefined, limit: number, matchIds: () => string[]): PageResult {
    const now = this.now();
    this.sweep(now);
    let ids: string[];
    let offset = 0;
    if (cursor === undefined || cursor === "") {
      ids = matchIds();
    } else {
      const entry = this.entries.get(cursor);
      if (!entry) return { ok: false, error: invalidCursor("The provided cursor is invalid or has expired.") };
      if (now - entry.issuedAtMs >= this.ttlMs) return { ok: false, error: invalidCursor("The provided cursor has expired.") };
      if (entry.scope !== scope) return { ok: false, error: invalidCursor("The provided cursor does not match the original query.") };
      ids = entry.ids;
      offset = entry.offset;
    }
    const pageIds = ids.slice(offset, offset + limit);
    if (offset + limit >= ids.length) return { ok: true, ids: pageIds };
    const next = randomBytes(24).toString("base64url");
    this.entries.set(next, { scope, ids, offset: offset + limit, issuedAtMs: now });
    return { ok: true, ids: pageIds, cursor: next };
  }

  /** Drops long-expired cursors so a long run does not grow without bound. */
  private sweep(now: number): void {
    for (const [key, entry] of this.entries) {
      if (now - entry.issuedAtMs >= this.ttlMs * 4) this.entries.delete(key);
    }
  }
}

function invalidCursor(detail: string): SquareError {
  return { category: "INVALID_REQUEST_ERROR", code: "INVALID_CURSOR", detail, field: "cursor" };
}
