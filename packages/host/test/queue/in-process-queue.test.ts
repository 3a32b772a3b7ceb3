// The in-process adapter (SQLite, one process): a stream's run is one job per page under one
// job key, the record set is exact, one run row covers the whole pass, and a 429's
// Retry-After becomes the next job's run_at (stored with the job, not slept in process).
import { afterAll, beforeAll, expect, it } from "vitest";
import { InProcessJobQueue, SYNC_SLICE_TASK, startQueueWorker, syncJobKey, type JobSpec } from "../../src/index.js";
import { json } from "../runner/support.js";
import { createPagedConnection, expectedKeys, openQueueHost, perConnectionPages, startPagedProvider, storedKeys, type PagedProvider, type QueueHost } from "./support.js";

const PAGES = 6;
const PER_PAGE = 5;
const HOUR = 3_600_000;
let provider: PagedProvider;
let qh: QueueHost;
let throttleOnce = true;

beforeAll(async () => {
  provider = await startPagedProvider(
    perConnectionPages(() => PAGES, PER_PAGE),
    (n, page, res) => {
      // Connection 2's page 3 is throttled once with Retry-After: 120.
      if (n === 2 && page === 3 && throttleOnce) {
        throttleOnce = false;
        json(res, 429, { error: "slow down" }, { "retry-after": "120" });
        return true;
      }
      return false;
    },
  );
  qh = await openQueueHost(provider.port);
});

afterAll(async () => {
  await qh.close();
  await provider.close();
});

/** A queue that records what was added, so a test can read a job's stored run_at. */
class RecordingQueue extends InProcessJobQueue {
  readonly added: JobSpec[] = [];
  override add(spec: JobSpec): Promise<void> {
    this.added.push(spec);
    return super.add(spec);
  }
}

it("runs a pass as one job per page, exactly, in one run; a Retry-After is the next job's run_at", async () => {
  const first = await createPagedConnection(qh.host, provider.base, 1);
  const throttled = await createPagedConnection(qh.host, provider.base, 2);
  const queue = new RecordingQueue();
  const finished: string[] = [];
  const worker = await startQueueWorker({
    host: qh.host,
    runner: qh.runner,
    queue,
    concurrency: 2,
    sweepMs: 3_600_000,
    sync: { intervalFor: () => HOUR },
    onResult: (r) => !r.next && finished.push(r.connectionId),
  });
  await expect.poll(() => finished.includes(first), { timeout: 20_000 }).toBe(true);

  expect(await storedKeys(qh.host, first)).toEqual(expectedKeys(1, PAGES, PER_PAGE));
  const runs = await qh.host.store.syncRuns.list({ connectionId: first });
  expect(runs).toHaveLength(1);
  expect(runs[0]).toMatchObject({ status: "succeeded", pages: PAGES, accepted: PAGES * PER_PAGE });
  // One job per page, then the next pass an interval later (less at most 10% jitter).
  const slices = queue.added.filter((j) => j.task === SYNC_SLICE_TASK && j.jobKey === syncJobKey(first, "customers"));
  expect(slices).toHaveLength(PAGES + 1);
  const nextPass = slices.at(-1)!.runAt!.getTime() - qh.host.store.now();
  expect(nextPass).toBeGreaterThan(0.85 * HOUR);

  // The throttled connection waits on the queue: its retry job is stored 120 s out, with its run kept open.
  // Its two connections run side by side, so the first may finish before the throttled one reaches
  // page 3: wait for the retry job itself, not for the first connection.
  const findRetry = () => queue.added.find((j) => j.jobKey === syncJobKey(throttled, "customers") && j.payload.retry === 1);
  await expect.poll(findRetry, { timeout: 20_000 }).toBeDefined();
  const retry = findRetry();
  expect(retry!.runAt!.getTime() - qh.host.store.now()).toBeGreaterThan(100_000);
  const open = await qh.host.store.syncRuns.list({ connectionId: throttled });
  expect(open).toHaveLength(1);
  expect(open[0]).toMatchObject({ status: "running", pages: 2, retries: 1 });
  expect(await qh.host.store.records.count(throttled)).toBe(2 * PER_PAGE);
  expect((await queue.counts()).queued).toBeGreaterThanOrEqual(2);
  await worker.stop();
}, 30_000);
