// A small pool of route workers for one connector version. A worker that crashed,
// ran out of memory or passed its deadline is terminated and never reused; the next
// acquire spawns a fresh one.
import { createRequire } from "node:module";
import { HOST_ERROR, INVOCATION_ENDED, runningFromSource } from "@backfill-io/sdk";
import { dirname, join } from "node:path";
import { pathToFileURL } from "node:url";
import { MessageChannel, Worker, type MessagePort } from "node:worker_threads";
import { RouteChildProcess, type IsolatedProcessOptions } from "./isolated.js";
import { WorkerFailure } from "./worker-failure.js";
import { manifestSentOnce, type BridgeCall, type BridgeReply, type FromWorker, type InvokeMessage, type ToWorker, type WorkerBootData, type WorkerCall } from "./protocol.js";

const HOST_IS_SOURCE = runningFromSource(import.meta.url);

export { WorkerFailure };

export type WorkerPoolOptions = {
  maxWorkers: number;
  /** V8 old-generation limit of each worker (resourceLimits.maxOldGenerationSizeMb). */
  memoryLimitMb: number;
  /** Load TypeScript (tsx) and resolve workspace packages to source. */
  source: boolean;
  /** Called for every worker the pool starts (the runner's workersStarted counter). */
  onWorkerStarted?: () => void;
  /** Isolated mode: route child processes under the permission model instead of worker threads. */
  isolated?: IsolatedProcessOptions;
  /** A started worker no route has run in (the runner's spare), used instead of starting one. */
  takeSpare?: () => RouteExecutor | undefined;
};

/** Answers one SDK call of an invocation (the runner's RouteSession). */
export type BridgeCallHandler = (call: BridgeCall) => Promise<BridgeReply>;

export type InvocationRequest = InvokeMessage;

/** What runs route code: a worker thread (trusted mode) or a child process (isolated mode). */
export interface RouteExecutor {
  readonly ready: Promise<void>;
  readonly dead: boolean;
  /**
   * Takes an invocation sent while another runs, and runs it after that one (a worker thread);
   * a child process reads only replies during a call, so its next invocation is sent after the last answered.
   */
  readonly queuesInvocations: boolean;
  /** An invocation sent ahead that has not started does not run (answered `skipped`); one that started runs on. */
  cancelQueued(invocationId: number): void;
  /** Runs one invocation; its SDK calls go to `onCall`. Rejects with a WorkerFailure when the executor died. */
  invoke(message: InvocationRequest, onCall: BridgeCallHandler): Promise<FromWorker>;
  describe(invocationId: number, moduleUrl: string): Promise<FromWorker>;
  ref(): void;
  unref(): void;
  terminate(): Promise<void>;
}

type Pending = { resolve: (m: FromWorker) => void; reject: (f: WorkerFailure) => void };

/** One worker thread, its SharedArrayBuffer signal and its call port (one of each for the worker's lifetime). */
export class RouteWorker implements RouteExecutor {
  readonly signal = new Int32Array(new SharedArrayBuffer(4));
  private readonly cancelledThrough = new BigInt64Array(new SharedArrayBuffer(8));
  readonly queuesInvocations = true;
  private readonly worker: Worker;
  private readonly calls: MessagePort;
  /** The SDK call handlers of the invocations sent and not yet answered (a sync's next page is sent while the one before it runs). */
  private readonly handlers = new Map<number, BridgeCallHandler>();
  private readonly pending = new Map<number, Pending>();
  private failure: WorkerFailure | undefined;
  private readonly withManifestOnce = manifestSentOnce();
  readonly ready: Promise<void>;

  constructor(options: WorkerPoolOptions) {
    const source = options.source || HOST_IS_SOURCE;
    const require = createRequire(import.meta.url);
    const entry = new URL(`./worker.${HOST_IS_SOURCE ? "ts" : "js"}`, import.meta.url).href;
    // One call port for the worker's lifetime: a channel per invocation cost more than its calls.
    const { port1, port2 } = new MessageChannel();
    this.calls = port1;
    port1.on("message", (call: WorkerCall) => this.answer(call));
    // The worker's own ref keeps the loop alive while it runs a route; the port never does.
    port1.unref();
    const bootData: WorkerBootData & { entry: string; tsxApi?: string } = {
      signal: this.signal.buffer,
      cancelledThrough: this.cancelledThrough.buffer,
      calls: port2,
      memoryLimitBytes: options.memoryLimitMb * 2 ** 20,
      entry,
      // tsx's ESM api by file URL ("tsx/esm/api" under require resolves to its CJS build).
      ...(source ? { tsxApi: pathToFileURL(join(dirname(require.resolve("tsx/package.json")), "dist/esm/api/index.mjs")).href } : {}),
    };
    // A CommonJS bootstrap: registers tsx's ESM loader inside this worker when needed,
    // then imports the real worker module.
    const bootstrap = `
      const { workerData } = require("node:worker_threads");
      (workerData.tsxApi ? import(workerData.tsxApi).then((tsx) => tsx.register()) : Promise.resolve())
        .then(() => import(workerData.entry))
        .catch((error) => { setImmediate(() => { throw error; }); });
    `;
    this.worker = new Worker(bootstrap, {
      eval: true,
      workerData: bootData,
      transferList: [port2],
      execArgv: source ? ["--conditions=source"] : [],
      // Nothing of the host's environment (master key, API keys, cloud credentials) reaches route code.
      env: {},
      resourceLimits: { maxOldGenerationSizeMb: options.memoryLimitMb, maxYoungGenerationSizeMb: Math.min(32, Math.max(4, options.memoryLimitMb / 4)) },
      stdout: false,
      stderr: false,
    });
    this.ready = new Promise<void>((resolve, reject) => {
      const onReady = (m: FromWorker) => {
        if (m.type === "ready") {
          this.worker.off("message", onReady);
          resolve();
        }
      };
      this.worker.on("message", onReady);
      this.worker.once("error", (e) => reject(e));
      this.worker.once("exit", (code) => reject(new Error(`route worker exited with code ${code} before it was ready`)));
    });
    this.ready.catch(() => undefined);
    this.worker.on("message", (m: FromWorker) => {
      if (m.type === "ready") return;
      const p = this.pending.get(m.invocationId);
      if (!p) return;
      this.pending.delete(m.invocationId);
      // Taken on the loop's check phase, after what the SDK calls before it scheduled there: undici
      // writes a request on a kept-alive socket from an immediate (it first reads what the socket
      // holds), so a sync's next provider request (its call comes just before this answer) goes
      // out before this page's answer is staged and committed, not after (~0.4 ms a page).
      setImmediate(() => p.resolve(m));
    });
    this.worker.on("error", (error: Error & { code?: string }) => {
      this.fail(
        error.code === "ERR_WORKER_OUT_OF_MEMORY"
          ? new WorkerFailure("memory_limit", "the route ran out of memory")
          : new WorkerFailure("crashed", `the route worker crashed: ${error.message}`),
      );
    });
    this.worker.on("exit", (code) => this.fail(new WorkerFailure("crashed", `the route worker exited (code ${code})`)));
  }

  get dead(): boolean {
    return this.failure !== undefined;
  }

  private fail(failure: WorkerFailure): void {
    this.failure ??= failure;
    for (const p of this.pending.values()) p.reject(this.failure);
    this.pending.clear();
  }

  /** Runs one invocation; its SDK calls reach `onCall` until it ends. */
  async invoke(message: InvocationRequest, onCall: BridgeCallHandler): Promise<FromWorker> {
    this.handlers.set(message.invocationId, onCall);
    try {
      return await this.request(this.withManifestOnce(message));
    } finally {
      this.handlers.delete(message.invocationId);
    }
  }

  /** A call of an invocation not yet answered goes to its handler; one of any other is refused (the route side never waits forever). */
  private answer(call: WorkerCall): void {
    const { invocationId, ...bridgeCall } = call;
    const onCall = this.handlers.get(invocationId);
    if (!onCall) {
      return this.reply({ id: call.id, ok: false, error: { code: INVOCATION_ENDED, message: `${String(call.method)}: the route invocation has ended` } });
    }
    void onCall(bridgeCall satisfies BridgeCall).then((reply) => this.reply(reply));
  }

  describe(invocationId: number, moduleUrl: string): Promise<FromWorker> {
    return this.request({ type: "describe", invocationId, moduleUrl });
  }

  cancelQueued(invocationId: number): void {
    if (BigInt(invocationId) > Atomics.load(this.cancelledThrough, 0)) Atomics.store(this.cancelledThrough, 0, BigInt(invocationId));
  }

  private reply(reply: BridgeReply): void {
    try {
      this.calls.postMessage(reply);
    } catch {
      // e.g. a value that cannot be cloned: the route gets an error instead of hanging
      this.calls.postMessage({
        id: reply.id,
        ok: false,
        error: { code: HOST_ERROR, message: "the host's answer could not be sent to the route (not cloneable)" },
      } satisfies BridgeReply);
    }
    this.notify();
  }

  /** Sends a message and resolves with the worker's answer for that invocation. */
  private request(message: ToWorker): Promise<FromWorker> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise<FromWorker>((resolve, reject) => {
      this.pending.set(message.invocationId, { resolve, reject });
      this.worker.postMessage(message);
    });
  }

  /** Wakes the worker blocked in Atomics.wait after a reply was posted. */
  private notify(): void {
    Atomics.store(this.signal, 0, 1);
    Atomics.notify(this.signal, 0);
  }

  ref(): void {
    this.worker.ref();
  }

  unref(): void {
    this.worker.unref();
  }

  async terminate(): Promise<void> {
    this.fail(new WorkerFailure("crashed", "the route worker was terminated"));
    this.calls.close();
    await this.worker.terminate();
  }
}

export class WorkerPool {
  private readonly idle: RouteExecutor[] = [];
  private readonly all = new Set<RouteExecutor>();
  private readonly waiting: ((w: RouteExecutor | Error) => void)[] = [];
  private closed = false;

  constructor(private readonly options: WorkerPoolOptions) {}

  get size(): number {
    return this.all.size;
  }

  /** Route code runs in permission-restricted child processes. */
  get isolated(): boolean {
    return this.options.isolated !== undefined;
  }

  /** No worker is running a route and nobody waits for one: the pool can be closed safely. */
  get idleNow(): boolean {
    return this.idle.length === this.all.size && this.waiting.length === 0;
  }

  async acquire(): Promise<RouteExecutor> {
    if (this.closed) throw new Error("the worker pool is closed");
    for (let w = this.idle.pop(); w; w = this.idle.pop()) {
      if (!w.dead) {
        w.ref();
        return w;
      }
      this.all.delete(w);
    }
    if (this.all.size < this.options.maxWorkers) return this.spawn();
    const next = await new Promise<RouteExecutor | Error>((resolve) => this.waiting.push(resolve));
    if (next instanceof Error) throw next;
    return next;
  }

  private async spawn(): Promise<RouteExecutor> {
    const spare = this.options.takeSpare?.();
    if (spare) {
      this.all.add(spare);
      try {
        await spare.ready;
        spare.ref();
        return spare;
      } catch {
        // A spare that failed to start is dropped; a worker of the pool's own starts instead.
        this.all.delete(spare);
        void spare.terminate();
      }
    }
    const w: RouteExecutor = this.options.isolated ? new RouteChildProcess(this.options.isolated, this.options.memoryLimitMb) : new RouteWorker(this.options);
    this.options.onWorkerStarted?.();
    this.all.add(w);
    try {
      await w.ready;
    } catch (error) {
      this.all.delete(w);
      await w.terminate();
      throw error;
    }
    return w;
  }

  /** Returns a healthy worker to the pool, or replaces a broken one. */
  release(w: RouteExecutor, healthy: boolean): void {
    if (!healthy || w.dead || this.closed) {
      this.all.delete(w);
      void w.terminate();
      const waiter = this.waiting.shift();
      if (waiter) this.spawn().then(waiter, (e: Error) => waiter(e));
      return;
    }
    const waiter = this.waiting.shift();
    if (waiter) return waiter(w);
    w.unref();
    this.idle.push(w);
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const waiter of this.waiting.splice(0)) waiter(new Error("the worker pool is closed"));
    await Promise.all([...this.all].map((w) => w.terminate()));
    this.all.clear();
    this.idle.length = 0;
  }
}
