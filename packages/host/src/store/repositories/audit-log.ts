// The audit log: append-only, non-secret entries (details are redacted before they are written).
import { redact } from "@backfill-io/sdk";
import type { AuditLogRow } from "../schema.js";
import type { RepositoryContext } from "./context.js";

export type AuditEntry = { actor?: string; connectionId?: string | null; detail?: Record<string, unknown> };

export class AuditLogRepository {
  constructor(private readonly ctx: RepositoryContext) {}

  /** Appends an entry; `detail` is redacted first (it must never hold a secret anyway). */
  async append(action: string, entry: AuditEntry = {}): Promise<void> {
    await this.ctx.db
      .insertInto("audit_log")
      .values({
        at: this.ctx.now(),
        actor: entry.actor ?? "host",
        action,
        connection_id: entry.connectionId ?? null,
        detail_json: entry.detail ? JSON.stringify(redact(entry.detail)) : null,
      })
      .execute();
  }

  /** Newest first. `detail_json` stays text: it is shown, never read back as data. */
  async list(filter: { connectionId?: string; limit?: number } = {}): Promise<AuditLogRow[]> {
    let q = this.ctx.db.selectFrom("audit_log").selectAll();
    if (filter.connectionId) q = q.where("connection_id", "=", filter.connectionId);
    return q
      .orderBy("id", "desc")
      .limit(filter.limit ?? 100)
      .execute();
  }
}
