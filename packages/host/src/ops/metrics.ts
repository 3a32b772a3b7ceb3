// Prometheus metrics (prom-client) for operators: queue depth, jobs, pages, records,
// retries, token refreshes and webhook lag. One registry per process; labels are task
// names, outcomes and connector keys only (never a connection id, shop or token).
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";
import type { JobCounts, JobEvents } from "../queue/queue.js";

export type HostMetrics = {
  readonly registry: Registry;
  readonly jobEvents: JobEvents;
  /** The queue's depth, read when /metrics is scraped. */
  setQueueCounts(read: () => Promise<JobCounts>): void;
  page(connector: string, records: number): void;
  retry(connector: string): void;
  tokenRefresh(ok: boolean): void;
  /** Seconds from a webhook's receipt to its processing by a worker. */
  webhookLag(seconds: number): void;
};

export function createHostMetrics(opts: { defaultMetrics?: boolean } = {}): HostMetrics {
  const registry = new Registry();
  if (opts.defaultMetrics ?? true) collectDefaultMetrics({ register: registry, prefix: "backfill_process_" });
  let readCounts: (() => Promise<JobCounts>) | undefined;
  const jobs = new Gauge({
    name: "backfill_jobs",
    help: "Jobs in the queue by state (queued, running, failed), over every worker",
    labelNames: ["state"] as const,
    registers: [registry],
    async collect() {
      if (!readCounts) return;
      try {
        const counts = await readCounts();
        for (const state of ["queued", "running", "failed"] as const) this.set({ state }, counts[state]);
      } catch {
        // The queue is unreachable: /readyz says so; the scrape still answers.
      }
    },
  });
  void jobs;
  const started = new Counter({ name: "backfill_jobs_started_total", help: "Jobs this process started", labelNames: ["task"] as const, registers: [registry] });
  const finished = new Counter({
    name: "backfill_jobs_finished_total",
    help: "Jobs this process finished, by outcome",
    labelNames: ["task", "outcome"] as const,
    registers: [registry],
  });
  const running = new Gauge({ name: "backfill_jobs_running_here", help: "Jobs running in this process", labelNames: ["task"] as const, registers: [registry] });
  const pages = new Counter({ name: "backfill_sync_pages_total", help: "Sync pages committed", labelNames: ["connector"] as const, registers: [registry] });
  const records = new Counter({ name: "backfill_sync_records_total", help: "Records accepted by committed sync pages", labelNames: ["connector"] as const, registers: [registry] });
  const retries = new Counter({
    name: "backfill_sync_retries_total",
    help: "Sync pages retried after a transient failure",
    labelNames: ["connector"] as const,
    registers: [registry],
  });
  const refreshes = new Counter({ name: "backfill_token_refreshes_total", help: "Token refreshes run by refresh-due jobs", registers: [registry] });
  const refreshFailures = new Counter({ name: "backfill_token_refresh_failures_total", help: "Token refreshes that failed", registers: [registry] });
  const lag = new Histogram({
    name: "backfill_webhook_lag_seconds",
    help: "Seconds from a webhook's receipt to its processing",
    buckets: [0.05, 0.1, 0.5, 1, 5, 15, 60, 300],
    registers: [registry],
  });
  return {
    registry,
    jobEvents: {
      started(task) {
        started.inc({ task });
        running.inc({ task });
      },
      finished(task, outcome) {
        finished.inc({ task, outcome });
        running.dec({ task });
      },
    },
    setQueueCounts(read) {
      readCounts = read;
    },
    page(connector, n) {
      pages.inc({ connector });
      records.inc({ connector }, n);
    },
    retry(connector) {
      retries.inc({ connector });
    },
    tokenRefresh(ok) {
      refreshes.inc();
      if (!ok) refreshFailures.inc();
    },
    webhookLag(seconds) {
      lag.observe(seconds);
    },
  };
}
