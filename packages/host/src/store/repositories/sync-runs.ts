// Sync runs: one per (connection, stream) pass, with its counters and outcome.
import { randomUUID } from "node:crypto";
import { redact } from "@backfill-io/sdk";
import type { SyncRunRow, SyncRunStatus } from "../schema.js";
import type { RepositoryContext } from "./context.js";
import { preparedQuery } from "../prepared.js";

/** Prepared: every sync page adds to its run's counters with it. */
const incrementRun = preparedQuery((db, v: { id: string; pages: number; accepted: number; rejected: number; retries: number }) =>
  db
    .updateTable("sync_runs")
    .set((eb) => ({
      pages: eb("pages", "+", v.pages),
      accepted: eb("accepted", "+", v.accepted),
      rejected: eb("rejected", "+", v.rejected),
      retries: eb("retries", "+", v.retries),
    }))
    .where("id", "=", v.id),
);

export type SyncRunPatch = Partial<Pick<SyncRunRow, "status" | "pages" | "accepted" | "rejected" | "retries" | "finished_at" | "outcome" | "error">>;

export class SyncRunsRepository {
  constructor(private readonly ctx: RepositoryContext) {}

  async create(connectionId: string, stream: string, id: string = `run_${randomUUID().replaceAll("-", "")}`): Promise<SyncRunRow> {
    const row: SyncRunRow = {
      id,
      connection_id: connectionId,
      stream,
      status: "running",
      pages: 0,
      accepted: 0,
      rejected: 0,
      retries: 0,
      started_at: this.ctx.now(),
      finished_at: null,
      outcome: null,
      error: null,
    };
    await this.ctx.db.insertInto("sync_runs").values(row).execute();
    return row;
  }

  async update(id: string, patch: SyncRunPatch): Promise<void> {
    if (Object.keys(patch).length === 0) return;
    await this.ctx.db.updateTable("sync_runs").set(patch).where("id", "=", id).execute();
  }

  /** Adds to the run's counters (pages, accepted, rejected, retries) atomically. */
  async increment(id: string, delta: Partial<Record<"pages" | "accepted" | "rejected" | "retries", number>>): Promise<void> {
    await incrementRun(this.ctx.db, { id, pages: delta.pages ?? 0, accepted: delta.accepted ?? 0, rejected: delta.rejected ?? 0, retries: delta.retries ?? 0 });
  }

  /** Ends the run; its error text is redacted before it is stored. */
  async finish(id: string, status: Exclude<SyncRunStatus, "running">, outcome: string | null, error?: string | null): Promise<void> {
    await this.update(id, { status, outcome, error: error === undefined || error === null ? null : redact(error), finished_at: this.ctx.now() });
  }

  async get(id: string): Promise<SyncRunRow | undefined> {
    return this.ctx.db.selectFrom("sync_runs").selectAll().where("id", "=", id).executeTakeFirst();
  }

  async list(filter: { connectionId?: string; stream?: string; status?: SyncRunStatus; limit?: number } = {}): Promise<SyncRunRow[]> {
    let q = this.ctx.db.selectFrom("sync_runs").selectAll();
    if (filter.connectionId) q = q.where("connection_id", "=", filter.connectionId);
    if (filter.stream) q = q.where("stream", "=", filter.stream);
    if (filter.status) q = q.where("status", "=", filter.status);
    return q
      .orderBy("started_at", "desc")
      .limit(filter.limit ?? 100)
      .execute();
  }

  /** When each (connection, stream) last finished a successful run (epoch ms), keyed `connection\0stream`. */
  async lastSucceeded(): Promise<Map<string, number>> {
    const rows = await this.ctx.db
      .selectFrom("sync_runs")
      .select(["connection_id", "stream"])
      .select((eb) => eb.fn.max("finished_at").as("finished_at"))
      .where("outcome", "=", "succeeded")
      .groupBy(["connection_id", "stream"])
      .execute();
    return new Map(rows.filter((r) => r.finished_at !== null).map((r) => [`${r.connection_id}\u0000${r.stream}`, Number(r.finished_at)]));
  }
}
