// `backfill serve`'s scheduler: every interval, syncs each stream of each active
// connection that is not already syncing. One tick at a time; errors are logged.
import type { Store } from "../store/store.js";
import type { HostLogger } from "../app/logger.js";
import { StreamLockedError, type SyncEngine, type SyncResult } from "./sync.js";

export type SchedulerOptions = { intervalMs: number; logger?: HostLogger; onResult?: (result: SyncResult) => void };

export type Scheduler = { tick(): Promise<void>; stop(): Promise<void> };

export function startScheduler(store: Store, engine: SyncEngine, opts: SchedulerOptions): Scheduler {
  let running: Promise<void> | null = null;
  let stopped = false;
  const controller = new AbortController();
  const tick = async () => {
    for (const connection of await store.connections.list({ status: "active" })) {
      if (stopped) return;
      try {
        for (const result of await engine.syncConnection(connection.id, { signal: controller.signal })) {
          opts.onResult?.(result);
          opts.logger?.info("scheduled sync finished", {
            connectionId: connection.id,
            stream: result.stream,
            outcome: result.outcome,
            pages: result.pages,
            accepted: result.accepted,
          });
        }
      } catch (error) {
        if (!(error instanceof StreamLockedError)) opts.logger?.error("scheduled sync failed", { connectionId: connection.id, error: (error as Error).message });
      }
    }
  };
  const run = () => {
    if (running || stopped) return;
    running = tick().finally(() => (running = null));
  };
  const timer = setInterval(run, opts.intervalMs);
  timer.unref();
  return {
    tick: async () => {
      run();
      await running;
    },
    stop: async () => {
      stopped = true;
      clearInterval(timer);
      controller.abort();
      await running;
    },
  };
}
