// The route side of an invocation, shared by both isolates that run route code: a worker
// thread (trusted mode, worker.ts) and a permission-restricted child process (isolated mode,
// child.ts). It installs the SDK binding, the process-control and memory guards, runs a
// route module's handler and cleans up after it. Only the transport of the SDK calls
// differs: each isolate brings a SyncCallChannel per invocation.
import { AsyncLocalStorage } from "node:async_hooks";
import { serialize } from "node:v8";
import { BackfillError, HOST_ERROR, INVOCATION_ENDED, NO_HOST_BOUND, registerSecret, redact, type CheckpointState, type ConnectorManifest } from "@backfill-io/sdk";
import { bindHost, serialisedBodyText, type HostBinding } from "@backfill-io/sdk/host";
import { assertExternalMemoryWithin, denyProcessControl, PROCESS_CONTROL_DENIED, type ProcessControlGuard } from "./route-guards.js";
import { checkCheckpointSet, checkIngestCall, parseResponseBody } from "@backfill-io/sdk/policy";
import type { BridgedHttpResponse, BridgeError, BridgeMethod, DeferredCall, DeferredMethod, FromWorker, InvokeMessage } from "./protocol.js";
import { followOnAllowed, stagedPause, type FollowOnSummary } from "./follow-on.js";

/** An invocation as the route side receives it (from a worker's parentPort or a child's pipe). */
export type RouteInvocation = InvokeMessage;

/** An invocation with its manifest: the one it carried, or the one this isolate was sent last (manifestSentOnce). */
type BoundInvocation = RouteInvocation & { manifest: ConnectorManifest };

/** One invocation's SDK calls: `call` blocks until the host answered; `close` ends the channel. */
export type SyncCallChannel = {
  /** `waitMs`: how long to wait for this answer (default: the invocation's call timeout); `deferred`: the batched calls to send with it. */
  call(method: BridgeMethod, args: unknown[], waitMs?: number, deferred?: DeferredCall[]): unknown;
  close(): void;
};

export type RouteHost = {
  /** Runs one invocation; resolves with its answer after clean-up (`dirty` when this isolate must not be reused). */
  invoke(message: RouteInvocation, channel: SyncCallChannel): Promise<Extract<FromWorker, { type: "result" | "failed" | "skipped" }>>;
  /** Loads a route module for its config and methods (its top-level code runs, so it is cleaned up after too). */
  describe(invocationId: number, moduleUrl: string): Promise<Extract<FromWorker, { type: "described" | "failed" }>>;
};

function toBridgeError(error: unknown): BridgeError {
  const safe = redact(error instanceof Error ? error : new Error(String(error)));
  const code = (error as { code?: unknown })?.code;
  const details = (error as { details?: unknown })?.details;
  return {
    name: safe.name,
    message: safe.message,
    ...(typeof code === "string" ? { code } : {}),
    ...(details && typeof details === "object" ? { details: redact(details as Record<string, unknown>) } : {}),
  };
}

/**
 * The binding of the invocation whose async context is running. The SDK looks its binding
 * up at call time, so one global binding swapped per invocation would hand a timer left by
 * route A (firing while route B runs) B's binding: its Http and ingest calls would be
 * answered for B and staged into B's page. Scoped by async context instead, a callback
 * that outlives its invocation reaches that invocation's closed binding and is refused.
 */
const invocationBinding = new AsyncLocalStorage<HostBinding>();

function activeBinding(method: string): HostBinding {
  const binding = invocationBinding.getStore();
  if (!binding) throw new BackfillError(NO_HOST_BOUND, `${method}: called outside a route invocation`);
  return binding;
}

const dispatchingBinding: HostBinding = {
  get manifest() {
    return activeBinding("manifest").manifest;
  },
  connectionInfo: () => activeBinding("Connection.info").connectionInfo!(),
  getSetting: (name) => activeBinding("Settings.get").getSetting(name),
  getSecret: (name) => activeBinding("Secrets.get").getSecret(name),
  accessToken: (opts) => activeBinding("OAuth.accessToken").accessToken(opts),
  http: (request) => activeBinding("Http").http(request),
  ingest: (kind, items, opts) => activeBinding("ingest").ingest(kind, items, opts),
  getCheckpoint: (stream) => activeBinding("Checkpoint.get").getCheckpoint(stream),
  setCheckpoint: (stream, state, opts) => activeBinding("Checkpoint.set").setCheckpoint(stream, state, opts),
  log: (level, message, fields) => activeBinding("log").log(level, message, fields),
  redactRecords: (selector) => activeBinding("Records.redact").redactRecords(selector),
  deleteRecords: (kind, deletions, opts) => activeBinding("Records.delete").deleteRecords!(kind, deletions, opts),
  setConnectionStatus: (change) => activeBinding("Connection").setConnectionStatus(change),
  webhookDeliveryProcessed: (ids) => activeBinding("Webhooks.alreadyProcessed").webhookDeliveryProcessed!(ids),
  markWebhookDeliveryProcessed: (ids) => activeBinding("Webhooks.markProcessed").markWebhookDeliveryProcessed!(ids),
  downloadFile: (spec) => activeBinding("Files.download").downloadFile!(spec),
  readFileLines: (fileId, opts) => activeBinding("Files.readLines").readFileLines!(fileId, opts),
  removeFile: (fileId) => activeBinding("Files.remove").removeFile!(fileId),
};

/** Globals as property descriptors, to restore after each invocation. */
type BaselineGlobals = Map<string | symbol, PropertyDescriptor>;

function snapshotGlobals(): BaselineGlobals {
  return new Map(Reflect.ownKeys(globalThis).map((key) => [key, Object.getOwnPropertyDescriptor(globalThis, key)!]));
}

/** Counts of the handles (timers, immediates, ports, sockets) keeping this thread's loop alive. */
function activeHandles(): Map<string, number> {
  const counts = new Map<string, number>();
  for (const type of process.getActiveResourcesInfo()) counts.set(type, (counts.get(type) ?? 0) + 1);
  return counts;
}

/**
 * A handle that is closing: the invocation's own bridge port, a file the module loader read.
 * It can run no route code but a close callback, whose SDK calls the ended binding refuses;
 * counting it marked every worker dirty and replaced it after each page.
 */
const CLOSING_HANDLE = "CloseReq";

/** True when the loop holds more handles of some type than it did before the invocation (closing ones aside). */
function leftHandles(before: Map<string, number>): boolean {
  for (const [type, count] of activeHandles()) if (type !== CLOSING_HANDLE && count > (before.get(type) ?? 0)) return true;
  return false;
}

/** A value as a bridge call would answer it: an object is a copy of its own, so a route that mutates it changes nothing the next call sees. */
function copyOf(value: unknown): unknown {
  return typeof value === "object" && value !== null ? structuredClone(value) : value;
}

/** Batched calls held at most this many before they go (with the call that reaches it): a route logging in a loop holds no unbounded queue. */
export const MAX_DEFERRED_CALLS = 256;

/**
 * The HostBinding of one invocation: every call goes through its channel, refused once it
 * ended. The calls that answer nothing the route cannot compute (DeferredCall) are checked
 * here, answered at once and sent with the next call or with the invocation's answer.
 */
/** What an invocation staged that decides whether the next page may follow it (follow-on.ts), with its checkpoint states. */
type FollowOnRecord = FollowOnSummary & { states: Map<string, CheckpointState> };

function invocationBindingFor(
  invoke: BoundInvocation,
  channel: SyncCallChannel,
  memoryLimitBytes: number,
): { binding: HostBinding; end: () => DeferredCall[]; staged: FollowOnRecord } {
  let ended = false;
  let deferred: DeferredCall[] = [];
  const staged: FollowOnRecord = { checkpoints: [], connectionStatus: false, webhookDeliveries: 0, states: new Map() };
  const refuseEnded = (method: string) => {
    if (ended) throw new BackfillError(INVOCATION_ENDED, `${method}: the route invocation has ended`);
  };
  const call = (method: BridgeMethod, args: unknown[], waitMs?: number): unknown => {
    refuseEnded(method);
    assertExternalMemoryWithin(memoryLimitBytes);
    const before = deferred;
    deferred = [];
    return channel.call(method, args, waitMs, before.length ? before : undefined);
  };
  const defer = (method: DeferredMethod, args: unknown[]): void => {
    refuseEnded(method);
    // A full batch goes with this call, which then waits like any other.
    if (deferred.length >= MAX_DEFERRED_CALLS - 1) return void call(method, args);
    // Serialised now, as a blocking call's postMessage did (once): what the route changes afterwards changes nothing staged.
    deferred.push({ method, args: serialize(args) });
  };
  const binding: HostBinding = {
    manifest: invoke.manifest,
    connectionInfo: () => ({ ...invoke.connectionInfo }),
    // A readable setting travelled with the invocation; any other name is the host's to answer or refuse.
    getSetting: (name) => (Object.hasOwn(invoke.readableSettings, name) ? copyOf(invoke.readableSettings[name]) : call("getSetting", [name])),
    getSecret: (name) => {
      const value = call("getSecret", [name]) as string | undefined;
      registerSecret(value);
      return value;
    },
    accessToken: (opts) => {
      const token = call("accessToken", [opts]) as string;
      registerSecret(token);
      return token;
    },
    http: (request) => {
      const { bodyText, ...response } = call("http", [request]) as BridgedHttpResponse;
      return { ...response, body: parseResponseBody(bodyText, response.headers["content-type"]) } as ReturnType<HostBinding["http"]>;
    },
    // Answered here by the policy the host applies again when the call arrives (checkIngestCall).
    ingest: (kind, items, opts) => {
      refuseEnded("ingest");
      const { result } = checkIngestCall(invoke.manifest, kind, items, opts.continueOnError);
      defer("ingest", [kind, items, opts]);
      return result;
    },
    // The engine's stream travelled with the invocation; any other is the host's to answer.
    getCheckpoint: (stream) => {
      if (!invoke.checkpoints || !Object.hasOwn(invoke.checkpoints, stream)) return call("getCheckpoint", [stream]) as ReturnType<HostBinding["getCheckpoint"]>;
      refuseEnded("getCheckpoint");
      return copyOf(invoke.checkpoints[stream]) as ReturnType<HostBinding["getCheckpoint"]>;
    },
    setCheckpoint: (stream, state, opts) => {
      refuseEnded("setCheckpoint");
      checkCheckpointSet(stream, state);
      defer("setCheckpoint", [stream, state, opts]);
      // As the host stages it: the last one per stream.
      const pauseSeconds = stagedPause(opts?.pauseSeconds);
      staged.checkpoints = [
        ...staged.checkpoints.filter((c) => c.stream !== stream),
        { stream, hasMore: opts?.hasMore === true, ...(pauseSeconds !== undefined ? { pauseSeconds } : {}) },
      ];
      staged.states.set(stream, copyOf(state) as CheckpointState);
    },
    log: (level, message, fields) => defer("log", [level, message, fields]),
    redactRecords: (selector) => call("redactRecords", [selector]) as ReturnType<HostBinding["redactRecords"]>,
    deleteRecords: (kind, deletions, opts) => call("deleteRecords", [kind, deletions, opts]) as { staged: number },
    setConnectionStatus: (change) => {
      staged.connectionStatus = true;
      call("setConnectionStatus", [change]);
    },
    webhookDeliveryProcessed: (ids) => call("webhookDeliveryProcessed", [ids]) as boolean,
    markWebhookDeliveryProcessed: (ids) => {
      staged.webhookDeliveries++;
      call("markWebhookDeliveryProcessed", [ids]);
    },
    // A download may take its whole deadline (the host enforces it), beyond one call's usual wait.
    downloadFile: (spec) => call("downloadFile", [spec], spec.timeoutMs + invoke.callTimeoutMs) as ReturnType<Required<HostBinding>["downloadFile"]>,
    readFileLines: (fileId, opts) => call("readFileLines", [fileId, opts]) as ReturnType<Required<HostBinding>["readFileLines"]>,
    removeFile: (fileId) => call("removeFile", [fileId]) as boolean,
  };
  return {
    binding,
    staged,
    end: () => {
      ended = true;
      channel.close();
      return deferred;
    },
  };
}

/** An answer a sync's next page may follow (its `checkpointFrom`): 2xx, and the isolate left clean. */
export function answerMayBeFollowed(answer: FromWorker): boolean {
  return answer.type === "result" && answer.status >= 200 && answer.status < 300 && !answer.dirty;
}

/**
 * Installs the route side in this isolate, before any route module loads: the SDK binding
 * (dispatching by async context), the process-control guard, and the baseline of globals
 * every invocation is cleaned back to. Call once per isolate.
 */
export function installRouteHost(options: { memoryLimitBytes: number }): RouteHost {
  const { memoryLimitBytes } = options;
  bindHost(dispatchingBinding);
  // No route signals, exits or loads native code into the process that runs it.
  const processControl = denyProcessControl();
  // Node loads some globals lazily on first read, and loading one may add globals of its own
  // that cannot be removed (Response installs undici's dispatcher under a non-configurable
  // symbol). Load them all now, so the baseline holds them and no route is blamed for them.
  for (const key of Reflect.ownKeys(globalThis)) {
    try {
      Reflect.get(globalThis, key);
    } catch {
      // a getter that throws (e.g. a global unavailable in workers) adds nothing
    }
  }

  /** Globals present before any route ran (the binding included). */
  const baselineGlobals = snapshotGlobals();
  let manifest: ConnectorManifest | undefined;
  /** The last invocation that answered 2xx and clean, with what it staged: the page a `checkpointFrom` follows. */
  let lastAnswered: { invocationId: number; staged: FollowOnRecord } | undefined;
  return {
    async invoke(message, channel) {
      const follows = lastAnswered;
      lastAnswered = undefined;
      manifest = message.manifest ?? manifest;
      if (!manifest) {
        return { type: "failed", invocationId: message.invocationId, error: { code: HOST_ERROR, message: "the invocation came without a manifest, and none was sent before" } };
      }
      let invocation: BoundInvocation = { ...message, manifest };
      if (message.checkpointFrom) {
        const { invocationId, stream } = message.checkpointFrom;
        const state = follows?.invocationId === invocationId && followOnAllowed(follows.staged, stream) ? follows.staged.states.get(stream) : undefined;
        if (state === undefined) return { type: "skipped", invocationId: message.invocationId };
        invocation = { ...invocation, checkpoints: { ...message.checkpoints, [stream]: state } };
      }
      const before = activeHandles();
      const { binding, end, staged } = invocationBindingFor(invocation, channel, memoryLimitBytes);
      const answer = await invocationBinding.run(binding, () => runHandler(invocation));
      const deferred = end();
      const cleaned = cleanedUp(before, withDeferred(guarded(answer, processControl, memoryLimitBytes), deferred), processControl, baselineGlobals);
      if (answerMayBeFollowed(cleaned)) lastAnswered = { invocationId: message.invocationId, staged };
      return cleaned;
    },
    async describe(invocationId, moduleUrl) {
      const before = activeHandles();
      return cleanedUp(before, await describeModule(invocationId, moduleUrl), processControl, baselineGlobals);
    },
  };
}

/**
 * Undoes what a route did to globalThis: removes what it added, puts back a data property
 * it replaced or deleted (accessors, Node's lazily loaded globals, are left alone).
 * False when something could not be undone (a non-configurable property).
 */
function restoreGlobals(baselineGlobals: BaselineGlobals): boolean {
  let restored = true;
  for (const key of Reflect.ownKeys(globalThis)) {
    if (!baselineGlobals.has(key)) restored = Reflect.deleteProperty(globalThis, key) && restored;
  }
  for (const [key, original] of baselineGlobals) {
    if (!("value" in original)) continue;
    const current = Object.getOwnPropertyDescriptor(globalThis, key);
    if (current && "value" in current && Object.is(current.value, original.value)) continue;
    restored = Reflect.defineProperty(globalThis, key, original) && restored;
  }
  return restored;
}

type InvocationAnswer = Extract<FromWorker, { type: "result" | "failed" }>;

/**
 * Route modules by URL, as imported: import() of a loaded module still goes through the
 * loader's resolution, asynchronously (~40 µs of every page); the namespace is the same object.
 */
const routeModules = new Map<string, Record<string, unknown>>();

async function routeModule(url: string): Promise<Record<string, unknown>> {
  let mod = routeModules.get(url);
  if (!mod) routeModules.set(url, (mod = (await import(url)) as Record<string, unknown>));
  return mod;
}

async function runHandler(message: RouteInvocation): Promise<InvocationAnswer> {
  try {
    const mod = await routeModule(message.moduleUrl);
    const handler = mod[message.exportName];
    if (typeof handler !== "function") {
      return {
        type: "result",
        invocationId: message.invocationId,
        status: 405,
        headers: { "content-type": "application/json" },
        bodyText: JSON.stringify({ error: { code: "method_not_allowed", message: `route does not export ${message.exportName}` } }),
      };
    }
    const response: unknown = await (handler as (input: unknown) => unknown)(message.input);
    if (!(response instanceof Response)) throw new TypeError("route must return a Response (wrap the handler in api(...))");
    const headers: Record<string, string> = {};
    response.headers.forEach((value, key) => (headers[key] = value));
    const bodyText = serialisedBodyText(response) ?? (await response.text());
    return { type: "result", invocationId: message.invocationId, status: response.status, headers, bodyText };
  } catch (error) {
    return { type: "failed", invocationId: message.invocationId, error: toBridgeError(error) };
  }
}

/** The answer with the batched calls the route made after its last blocking one (the host runs them before it takes the answer). */
function withDeferred(answer: InvocationAnswer, deferred: DeferredCall[]): InvocationAnswer {
  return deferred.length ? { ...answer, deferred } : answer;
}

/**
 * The answer after the guards: a route that tried process control fails even if it caught
 * the error, and one left holding Buffers past the cap fails; both leave the worker dirty.
 */
function guarded(answer: InvocationAnswer, processControl: ProcessControlGuard, memoryLimitBytes: number): InvocationAnswer {
  if (processControl.attempted) {
    return {
      type: "failed",
      invocationId: answer.invocationId,
      error: { name: "RouteGuardError", code: PROCESS_CONTROL_DENIED, message: "the route tried to signal, exit or load native code into the process that runs it" },
      dirty: true,
    };
  }
  try {
    assertExternalMemoryWithin(memoryLimitBytes);
    return answer;
  } catch (error) {
    return { type: "failed", invocationId: answer.invocationId, error: toBridgeError(error), dirty: true };
  }
}

/**
 * Undoes what route code left behind before the worker takes the next message. A timer
 * or interval it left running would fire during a later invocation (its SDK calls
 * refused, its errors crashing that invocation), and a global it pinned would be seen
 * by it: then the answer says `dirty`, and the main thread replaces this worker.
 */
function cleanedUp<T extends Extract<FromWorker, { type: "result" | "failed" | "described" }>>(
  before: Map<string, number>,
  answer: T,
  processControl: ProcessControlGuard,
  baselineGlobals: BaselineGlobals,
): T {
  const globalsRestored = restoreGlobals(baselineGlobals);
  return answer.dirty || processControl.attempted || !globalsRestored || leftHandles(before) ? { ...answer, dirty: true } : answer;
}

/** Loads a route module for its config and methods: its top-level code runs here, so it is cleaned up after like a route. */
async function describeModule(invocationId: number, moduleUrl: string): Promise<Extract<FromWorker, { type: "described" | "failed" }>> {
  let answer: Extract<FromWorker, { type: "described" | "failed" }>;
  try {
    const mod = (await import(moduleUrl)) as Record<string, unknown>;
    const config = mod.config && typeof mod.config === "object" ? (JSON.parse(JSON.stringify(mod.config)) as Record<string, unknown>) : null;
    const methods = ["GET", "POST", "PUT", "PATCH", "DELETE"].filter((m) => typeof mod[m] === "function");
    answer = { type: "described", invocationId, config, methods };
  } catch (error) {
    answer = { type: "failed", invocationId, error: toBridgeError(error) };
  }
  return answer;
}
