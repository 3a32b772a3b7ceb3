// Isolated mode, the host's side: one route child process under Node's permission model.
// It speaks the worker's protocol as frames on two extra pipes (frames.ts); the host answers
// its SDK calls with the same RouteSession as for worker threads. The V8 heap is capped with
// --max-old-space-size; Buffers live outside it, so the host also watches the child's
// resident memory (/proc/<pid>/status VmRSS) and kills it past the limit.
import { spawn, type ChildProcess } from "node:child_process";
import { INVOCATION_ENDED } from "@backfill-io/sdk";
import { existsSync, readFileSync } from "node:fs";
import type { Readable, Writable } from "node:stream";
import { FrameDecoder, encodeFrame } from "./frames.js";
import { exposedPaths } from "./isolated-paths.js";
import { IsolationError, ISOLATED_PATH_EXPOSED } from "./isolation.js";
import type { BridgeCallHandler, InvocationRequest, RouteExecutor } from "./pool.js";
import { WorkerFailure } from "./worker-failure.js";
import { manifestSentOnce, type BridgeReply, type FromChild, type FromWorker, type ToChild } from "./protocol.js";

export type IsolatedProcessOptions = {
  /** The built child entry (dist/runner/child.js). */
  entry: string;
  /** Everything the child may read: the connector's package, the SDK and their dependencies (real paths). */
  readPaths: string[];
  /** The child's working directory (inside readPaths). */
  cwd: string;
  /** Paths the child must not be able to read (the host's data dir): no child starts when a read path contains one. */
  protectedPaths: string[];
};

/** Node's own resident memory before any route code (binary, heap, SDK): added to the route's limit for the RSS watch. */
export const CHILD_BASE_RSS_MB = 64;
const RSS_POLL_MS = 50;

type Pending = { resolve: (m: FromWorker) => void; reject: (f: WorkerFailure) => void; onCall?: BridgeCallHandler; callTimeoutMs?: number };

/** The child's resident set size in bytes (Linux), or null when it cannot be read. */
function residentBytes(pid: number): number | null {
  try {
    const match = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return match ? Number(match[1]) * 1024 : null;
  } catch {
    return null;
  }
}

export class RouteChildProcess implements RouteExecutor {
  readonly ready: Promise<void>;
  private readonly child: ChildProcess;
  private readonly toChild: Writable;
  private readonly pending = new Map<number, Pending>();
  private readonly decoder = new FrameDecoder();
  private readonly rssLimitBytes: number;
  private rssWatch: NodeJS.Timeout | undefined;
  private failure: WorkerFailure | undefined;
  private readonly withManifestOnce = manifestSentOnce();
  readonly queuesInvocations = false;
  /** Nothing is ever queued in a child (see queuesInvocations). */
  cancelQueued(): void {}
  private stderrTail = "";

  constructor(options: IsolatedProcessOptions, memoryLimitMb: number) {
    if (!existsSync(options.entry)) throw new WorkerFailure("crashed", `isolated mode needs the built host: ${options.entry} is missing (run the host's build)`);
    const exposed = exposedPaths(options.readPaths, options.protectedPaths);
    if (exposed.length)
      throw new IsolationError(
        ISOLATED_PATH_EXPOSED,
        `isolated routes could read ${exposed.join(", ")}: keep the data dir outside the connector's and the host's package directories`,
      );
    this.rssLimitBytes = (memoryLimitMb + CHILD_BASE_RSS_MB) * 2 ** 20;
    this.child = spawn(
      process.execPath,
      [
        "--experimental-permission",
        ...options.readPaths.map((p) => `--allow-fs-read=${p}`),
        `--max-old-space-size=${memoryLimitMb}`,
        "--disable-warning=ExperimentalWarning",
        options.entry,
        String(memoryLimitMb * 2 ** 20),
      ],
      // Nothing of the host's environment; fd 3 and 4 carry the frames.
      { env: {}, cwd: options.cwd, stdio: ["ignore", "ignore", "pipe", "pipe", "pipe"] },
    );
    this.toChild = this.child.stdio[4] as Writable;
    this.toChild.on("error", () => undefined);
    this.child.stderr!.on("data", (chunk: Buffer) => (this.stderrTail = (this.stderrTail + chunk.toString("utf8")).slice(-2_000)));
    let markReady: () => void = () => undefined;
    this.ready = new Promise<void>((resolve, reject) => {
      markReady = resolve;
      this.child.once("exit", (code, signal) =>
        reject(new Error(`route child exited (${signal ?? code}) before it was ready: ${this.stderrTail.trim().split("\n").at(-1) ?? ""}`)),
      );
      this.child.once("error", reject);
    });
    this.ready.catch(() => undefined);
    (this.child.stdio[3] as Readable).on("data", (chunk: Buffer) => {
      let frames: unknown[];
      try {
        frames = this.decoder.push(chunk);
      } catch (error) {
        return this.kill(new WorkerFailure("crashed", `the route child sent a malformed frame: ${(error as Error).message}`));
      }
      for (const frame of frames as FromChild[]) {
        if (frame.type === "ready") markReady();
        else if (frame.type === "call") this.answerCall(frame.invocationId, frame.call);
        else this.settle(frame);
      }
    });
    this.child.on("exit", (code, signal) => this.fail(new WorkerFailure("crashed", `the route child exited (${signal ?? `code ${code}`})`)));
  }

  get dead(): boolean {
    return this.failure !== undefined;
  }

  invoke(message: InvocationRequest, onCall: BridgeCallHandler): Promise<FromWorker> {
    return this.request({ type: "invoke", invocation: this.withManifestOnce(message) }, message.invocationId, { onCall, callTimeoutMs: message.callTimeoutMs });
  }

  describe(invocationId: number, moduleUrl: string): Promise<FromWorker> {
    return this.request({ type: "describe", invocationId, moduleUrl }, invocationId, {});
  }

  private request(message: ToChild, invocationId: number, extra: Pick<Pending, "onCall" | "callTimeoutMs">): Promise<FromWorker> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise<FromWorker>((resolve, reject) => {
      this.pending.set(invocationId, { resolve, reject, ...extra });
      this.startRssWatch();
      this.send(message);
    });
  }

  private send(message: ToChild): void {
    if (!this.failure) this.toChild.write(encodeFrame(message));
  }

  /** The host answers within the call timeout or says timeout itself (the child blocks in readSync and cannot time out). */
  private answerCall(invocationId: number, call: { id: number } & Parameters<BridgeCallHandler>[0]): void {
    const pending = this.pending.get(invocationId);
    if (!pending?.onCall)
      return this.send({ type: "reply", reply: { id: call.id, ok: false, error: { code: INVOCATION_ENDED, message: `${call.method}: the route invocation has ended` } } });
    let answered = false;
    const reply = (r: BridgeReply) => {
      if (answered) return;
      answered = true;
      clearTimeout(timer);
      this.send({ type: "reply", reply: r });
    };
    // A download may take its own whole deadline (the host enforces it); every other call one call's wait.
    const download = call.method === "downloadFile" ? ((call.args[0] as { timeoutMs?: unknown } | undefined)?.timeoutMs as number | undefined) : undefined;
    const timeoutMs = (pending.callTimeoutMs ?? 30_000) + (typeof download === "number" && download > 0 ? download : 0);
    const timer = setTimeout(
      () => reply({ id: call.id, ok: false, error: { code: "timeout", message: `${call.method}: the host did not answer within ${timeoutMs} ms` } }),
      timeoutMs,
    );
    void pending.onCall(call).then(reply);
  }

  private settle(message: FromWorker): void {
    if (message.type === "ready") return;
    const pending = this.pending.get(message.invocationId);
    if (!pending) return;
    this.pending.delete(message.invocationId);
    if (this.pending.size === 0) this.stopRssWatch();
    pending.resolve(message);
  }

  /** While the child runs route code: kill it once its resident memory passes the limit (Buffers included). */
  private startRssWatch(): void {
    if (this.rssWatch || !this.child.pid) return;
    const pid = this.child.pid;
    this.rssWatch = setInterval(() => {
      const rss = residentBytes(pid);
      if (rss !== null && rss > this.rssLimitBytes) this.kill(new WorkerFailure("memory_limit", `the route ran out of memory (resident ${Math.round(rss / 2 ** 20)} MB)`));
    }, RSS_POLL_MS);
    this.rssWatch.unref();
  }

  private stopRssWatch(): void {
    clearInterval(this.rssWatch);
    this.rssWatch = undefined;
  }

  private fail(failure: WorkerFailure): void {
    this.failure ??= failure;
    this.stopRssWatch();
    for (const p of this.pending.values()) p.reject(this.failure);
    this.pending.clear();
  }

  private kill(failure: WorkerFailure): void {
    this.fail(failure);
    this.child.kill("SIGKILL");
  }

  ref(): void {
    this.child.ref();
    for (const stream of [this.child.stdio[2], this.child.stdio[3], this.child.stdio[4]]) (stream as unknown as { ref?: () => void } | null)?.ref?.();
  }

  unref(): void {
    this.child.unref();
    for (const stream of [this.child.stdio[2], this.child.stdio[3], this.child.stdio[4]]) (stream as unknown as { unref?: () => void } | null)?.unref?.();
  }

  async terminate(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return this.fail(new WorkerFailure("crashed", "the route child was terminated"));
    const exited = new Promise<void>((resolve) => this.child.once("exit", () => resolve()));
    this.kill(new WorkerFailure("crashed", "the route child was terminated"));
    await exited;
  }
}
