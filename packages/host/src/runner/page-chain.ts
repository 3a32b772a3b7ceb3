// A sync's pages of one stream, run back to back in one worker. The engine asks for the next
// page while the page before it still runs (`follow`); a worker thread takes it as soon as that
// page answered and runs it on the checkpoint that page staged, when the page allows a
// follow-on (follow-on.ts), instead of waiting for the main thread to start it: the main
// thread meanwhile takes the answer, answers the next page's provider request and commits.
// A child process (isolated mode) reads no message during a call, so there the next page is
// sent once the one before it answered: the same pages, in the same order, one at a time.
import type { RouteExecutor } from "./pool.js";
import type { RouteRunResult, RunRouteRequest } from "./runner.js";

/** The answer of an invocation with `checkpointFrom` whose page before it allowed no follow-on: it did not run. */
export const SKIPPED = "skipped";

/** An executor held for a route, with the module it runs. */
export type OpenedExecutor = { worker: RouteExecutor; moduleUrl: string; release(healthy: boolean): void };

/** A page of a chain: its own checkpoint states, or `follows` the page before it (sent while that one runs). */
export type ChainedPage = Pick<RunRouteRequest, "checkpoints" | "onCallAnswered"> & {
  follows?: { invocationId: number; stream: string; answered: Promise<void> };
};

/** One invocation as the runner started it: `answered` when the executor answered (or failed), `settled` with the result and whether the executor may run more. */
export type ChainInvocation = {
  invocationId: number;
  answered: Promise<void>;
  settled: Promise<{ result: RouteRunResult | typeof SKIPPED; healthy: boolean }>;
};

/** The runner's side of a chain. */
export type ChainRunner = {
  open(): Promise<OpenedExecutor | RouteRunResult>;
  invoke(opened: OpenedExecutor, page: ChainedPage): ChainInvocation;
  /** A page ran as a follow-on (on the checkpoint the page before it staged): the runner's count. */
  followedOn(): void;
};

/** A page as sent: its invocation and executor, or why it was not sent. */
type SentPage = {
  invocation: ChainInvocation;
  opened: OpenedExecutor;
  /** Whether the executor is fit to run more once this page settled. */
  healthy: Promise<boolean>;
  /** A follow-on: the health of the page it was queued behind (an unfit one took it down unrun). */
  behind?: Promise<boolean>;
};
type Sent = SentPage | { unstarted: RouteRunResult } | { skipped: true };

export class PageChain {
  private opened: Promise<OpenedExecutor | RouteRunResult> | undefined;
  /** The page sent last (what a `follow` follows): sends happen in call order. */
  private tail: Promise<Sent | undefined> = Promise.resolve(undefined);
  private readonly inFlight = new Set<Promise<unknown>>();
  private cancelled = false;

  constructor(
    private readonly runner: ChainRunner,
    private readonly stream: string,
  ) {}

  /** A page on the given checkpoint states, sent once every page sent before it has settled. */
  async run(page: Pick<ChainedPage, "checkpoints" | "onCallAnswered">): Promise<RouteRunResult> {
    const sent = this.tail.then(async (): Promise<Sent> => {
      await this.settledAll();
      const opened = await (this.opened ??= this.runner.open());
      if (!("worker" in opened)) {
        this.opened = undefined;
        return { unstarted: opened };
      }
      return this.send(opened, page);
    });
    this.tail = sent;
    const result = await this.outcome(sent);
    // A page is skipped only when it follows another.
    if (result === SKIPPED) throw new Error("page chain: a page sent with its own checkpoint was skipped");
    return result;
  }

  /**
   * The page after the last one sent, on the checkpoint that page stages for the chain's
   * stream: sent now (a worker thread runs it right after that page), or `skipped` when that
   * page did not allow a follow-on, failed, or left its executor unfit. The caller bounds how
   * many it asks for ahead of the page it commits (the engine's PAGES_AHEAD).
   */
  follow(page: Pick<ChainedPage, "onCallAnswered"> = {}): Promise<RouteRunResult | typeof SKIPPED> {
    const sent = this.tail.then(async (before): Promise<Sent> => {
      if (!before || !("invocation" in before) || this.cancelled) return { skipped: true };
      const { invocation, opened } = before;
      if (!opened.worker.queuesInvocations) {
        await invocation.answered;
        if (!(await before.healthy) || this.cancelled) return { skipped: true };
      }
      const follows = { invocationId: invocation.invocationId, stream: this.stream, answered: invocation.answered };
      return { ...this.send(opened, { ...page, follows }), behind: before.healthy };
    });
    this.tail = sent;
    return this.outcome(sent);
  }

  /**
   * The run was cancelled: a page sent ahead that has not started never does (it is
   * `skipped`), so stopping waits for the page running at most. Pages asked for later are skipped too.
   */
  cancelAhead(): void {
    this.cancelled = true;
    void this.tail.then((last) => {
      if (last && "invocation" in last && last.behind) last.opened.worker.cancelQueued(last.invocation.invocationId);
    });
  }

  /** Waits for the pages in flight and gives the executor back. */
  async close(): Promise<void> {
    await this.tail.catch(() => undefined);
    await this.settledAll();
    const opened = this.opened && (await this.opened);
    this.opened = undefined;
    if (opened && "worker" in opened) opened.release(true);
  }

  private send(opened: OpenedExecutor, page: ChainedPage): SentPage {
    const invocation = this.runner.invoke(opened, page);
    const healthy = invocation.settled.then(({ healthy }) => {
      // An executor a page left unfit is replaced now: a page queued behind a stuck one ends
      // with it, and the next `run` starts in a new executor.
      if (!healthy && this.opened) {
        this.opened = undefined;
        opened.release(false);
      }
      return healthy;
    });
    this.inFlight.add(healthy);
    void healthy.finally(() => this.inFlight.delete(healthy));
    return { invocation, opened, healthy };
  }

  private async outcome(sent: Promise<Sent>): Promise<RouteRunResult | typeof SKIPPED> {
    const page = await sent;
    if ("skipped" in page) return SKIPPED;
    if ("unstarted" in page) return page.unstarted;
    const { result } = await page.invocation.settled;
    // Queued behind a page that left the executor unfit (timed out, crashed): it never ran.
    if (page.behind && !(await page.behind)) return SKIPPED;
    if (page.behind && result !== SKIPPED) this.runner.followedOn();
    return result;
  }

  private async settledAll(): Promise<void> {
    while (this.inFlight.size) await Promise.allSettled([...this.inFlight]);
  }
}
