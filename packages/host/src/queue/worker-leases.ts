// Leases for graphile-worker jobs. graphile-worker leaves a job locked by a crashed worker for
// 4 hours; here each worker process heartbeats the worker ids that hold jobs, and every
// process sweeps: a job locked longer than the lease whose worker has not heartbeated within
// the lease is unlocked (graphile_worker.force_unlock_workers) for another worker to retry.
// A job the sweep unlocked resumes from its stream's last committed checkpoint.
import type pg from "pg";
import type { HostLogger } from "../app/logger.js";

export const HEARTBEATS_TABLE = "backfill_queue_heartbeats";

export type WorkerLeases = {
  /** Runs `fn` with `workerId` heartbeating (a job it holds keeps its lease). */
  holding<T>(workerId: string, fn: () => Promise<T>): Promise<T>;
  /** Unlocks the jobs of workers whose lease expired; answers their worker ids. */
  sweep(): Promise<string[]>;
  stop(): Promise<void>;
};

export function startWorkerLeases(opts: { pool: pg.Pool; schema: string; leaseMs: number; logger: HostLogger }): WorkerLeases {
  const { pool, leaseMs, logger } = opts;
  const schema = `"${opts.schema.replace(/"/g, '""')}"`;
  const held = new Map<string, number>();
  let ready: Promise<unknown> | undefined;
  const ensureTable = () =>
    (ready ??= pool.query(`create table if not exists ${schema}.${HEARTBEATS_TABLE} (worker_id text primary key, beat_at timestamptz not null)`).catch((error: unknown) => {
      ready = undefined;
      throw error;
    }));

  const beat = async (ids: string[]) => {
    if (!ids.length) return;
    await ensureTable();
    await pool.query(`insert into ${schema}.${HEARTBEATS_TABLE} (worker_id, beat_at) select unnest($1::text[]), now() on conflict (worker_id) do update set beat_at = now()`, [
      ids,
    ]);
  };

  const sweep = async (): Promise<string[]> => {
    await ensureTable();
    const interval = `${Math.ceil(leaseMs)} milliseconds`;
    const { rows } = await pool.query<{ locked_by: string }>(
      `select distinct j.locked_by from ${schema}.jobs j
        where j.locked_at is not null and j.locked_by is not null and j.locked_at < now() - $1::interval
          and not exists (select 1 from ${schema}.${HEARTBEATS_TABLE} h where h.worker_id = j.locked_by and h.beat_at > now() - $1::interval)`,
      [interval],
    );
    const ids = rows.map((r) => r.locked_by);
    if (ids.length) {
      await pool.query(`select ${schema}.force_unlock_workers($1::text[])`, [ids]);
      logger.warn("queue jobs of stopped workers released", { workers: ids.length });
    }
    // Heartbeats of workers long gone.
    await pool.query(`delete from ${schema}.${HEARTBEATS_TABLE} where beat_at < now() - interval '1 day'`);
    return ids;
  };

  const tick = () => {
    void beat([...held.keys()])
      .then(sweep)
      .catch((error: unknown) => logger.warn("queue lease heartbeat failed", { error: (error as Error).message }));
  };
  const timer = setInterval(tick, Math.max(50, Math.floor(leaseMs / 3)));
  timer.unref();

  return {
    async holding(workerId, fn) {
      held.set(workerId, (held.get(workerId) ?? 0) + 1);
      try {
        await beat([workerId]);
        return await fn();
      } finally {
        const left = (held.get(workerId) ?? 1) - 1;
        if (left) held.set(workerId, left);
        else held.delete(workerId);
      }
    },
    sweep,
    async stop() {
      clearInterval(timer);
      await ready?.catch(() => undefined);
    },
  };
}
