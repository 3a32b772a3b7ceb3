// The route worker: imports a route module, installs a HostBinding whose every call
// blocks on the main thread (SharedArrayBuffer + Atomics.wait + receiveMessageOnPort),
// calls the route and posts the Response back. One invocation at a time.
import { AsyncLocalStorage } from "node:async_hooks";
import { parentPort, receiveMessageOnPort, workerData, type MessagePort } from "node:worker_threads";
import { bindHost, errorFromJSON, BackfillError, registerSecret, redact, type HostBinding } from "@backfill-io/sdk";
import { SIGNAL_INDEX, type BridgeCall, type BridgeError, type BridgeReply, type FromWorker, type InvokeMessage, type ToWorker, type WorkerBootData } from "./protocol.js";

const port = parentPort!;
const signal = new Int32Array((workerData as WorkerBootData).signal);


function post(message: FromWorker): void {
  port.postMessage(message);
}

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
  if (!binding) throw new BackfillError("invalid_request", `${method}: called outside a route invocation`);
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
};
bindHost(dispatchingBinding);

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

/** Globals present before any route ran (the binding included), as property descriptors. */
const baselineGlobals = new Map(Reflect.ownKeys(globalThis).map((key) => [key, Object.getOwnPropertyDescriptor(globalThis, key)!]));

/** Counts of the handles (timers, immediates, ports, sockets) keeping this thread's loop alive. */
function activeHandles(): Map<string, number> {
  const counts = new Map<string, number>();
  for (const type of process.getActiveResourcesInfo()) counts.set(type, (counts.get(type) ?? 0) + 1);
  return counts;
}

/** True when the loop holds more handles of some type than it did before the invocation. */
function leftHandles(before: Map<string, number>): boolean {
  for (const [type, count] of activeHandles()) if (count > (before.get(type) ?? 0)) return true;
  return false;
}

function makeBinding(invoke: InvokeMessage): { binding: HostBinding; close: () => void } {
  const callPort: MessagePort = invoke.port;
  let nextId = 1;
  let closed = false;

  const call = (method: BridgeCall["method"], args: unknown[]): unknown => {
    if (closed) throw new BackfillError("invalid_request", `${method}: the route invocation has ended`);
    const id = nextId++;
    Atomics.store(signal, SIGNAL_INDEX, 0);
    callPort.postMessage({ id, method, args } satisfies BridgeCall);
    const deadline = Date.now() + invoke.callTimeoutMs;
    for (;;) {
      // Drain first: replies to earlier, timed-out calls are skipped by id.
      for (let m = receiveMessageOnPort(callPort); m; m = receiveMessageOnPort(callPort)) {
        const reply = m.message as BridgeReply;
        if (reply.id !== id) continue;
        if (reply.ok) return reply.value;
        throw errorFromJSON(reply.error);
      }
      const remaining = deadline - Date.now();
      if (remaining <= 0) throw new BackfillError("timeout", `${method}: the host did not answer within ${invoke.callTimeoutMs} ms`);
      Atomics.wait(signal, SIGNAL_INDEX, 0, remaining);
      Atomics.store(signal, SIGNAL_INDEX, 0);
    }
  };

  const binding: HostBinding = {
    manifest: invoke.manifest,
    connectionInfo: () => ({ ...invoke.connectionInfo }),
    getSetting: (name) => call("getSetting", [name]),
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
    http: (request) => call("http", [request]) as ReturnType<HostBinding["http"]>,
    ingest: (kind, items, opts) => call("ingest", [kind, items, opts]) as ReturnType<HostBinding["ingest"]>,
    getCheckpoint: (stream) => call("getCheckpoint", [stream]) as ReturnType<HostBinding["getCheckpoint"]>,
    setCheckpoint: (stream, state, opts) => void call("setCheckpoint", [stream, state, opts]),
    // Blocking too: the result travels on another port, so an unanswered log could arrive after it.
    log: (level, message, fields) => void call("log", [level, message, fields]),
    redactRecords: (selector) => call("redactRecords", [selector]) as ReturnType<HostBinding["redactRecords"]>,
    deleteRecords: (kind, deletions, opts) => call("deleteRecords", [kind, deletions, opts]) as { staged: number },
    setConnectionStatus: (change) => void call("setConnectionStatus", [change]),
    webhookDeliveryProcessed: (ids) => call("webhookDeliveryProcessed", [ids]) as boolean,
    markWebhookDeliveryProcessed: (ids) => void call("markWebhookDeliveryProcessed", [ids]),
  };
  return {
    binding,
    close: () => {
      closed = true;
      callPort.close();
    },
  };
}

/**
 * Undoes what a route did to globalThis: removes what it added, puts back a data property
 * it replaced or deleted (accessors, Node's lazily loaded globals, are left alone).
 * False when something could not be undone (a non-configurable property).
 */
function restoreGlobals(): boolean {
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

async function runHandler(message: InvokeMessage): Promise<InvocationAnswer> {
  try {
    const mod = (await import(message.moduleUrl)) as Record<string, unknown>;
    const handler = mod[message.exportName];
    if (typeof handler !== "function") {
      return { type: "result", invocationId: message.invocationId, status: 405, headers: { "content-type": "application/json" }, bodyText: JSON.stringify({ error: { code: "method_not_allowed", message: `route does not export ${message.exportName}` } }) };
    }
    const response: unknown = await (handler as (input: unknown) => unknown)(message.input);
    if (!(response instanceof Response)) throw new TypeError("route must return a Response (wrap the handler in api(...))");
    const headers: Record<string, string> = {};
    response.headers.forEach((value, key) => (headers[key] = value));
    const bodyText = await response.text();
    return { type: "result", invocationId: message.invocationId, status: response.status, headers, bodyText };
  } catch (error) {
    return { type: "failed", invocationId: message.invocationId, error: toBridgeError(error) };
  }
}

async function invoke(message: InvokeMessage): Promise<void> {
  const before = activeHandles();
  const { binding, close } = makeBinding(message);
  const answer = await invocationBinding.run(binding, () => runHandler(message));
  close();
  post(cleanedUp(before, answer));
}

/**
 * Undoes what route code left behind before the worker takes the next message. A timer
 * or interval it left running would fire during a later invocation (its SDK calls
 * refused, its errors crashing that invocation), and a global it pinned would be seen
 * by it: then the answer says `dirty`, and the main thread replaces this worker.
 */
function cleanedUp<T extends Extract<FromWorker, { invocationId: number }>>(before: Map<string, number>, answer: T): T {
  const globalsRestored = restoreGlobals();
  return !globalsRestored || leftHandles(before) ? { ...answer, dirty: true } : answer;
}

/** Loads a route module for its config and methods: its top-level code runs here, so it is cleaned up after like a route. */
async function describe(invocationId: number, moduleUrl: string): Promise<void> {
  const before = activeHandles();
  let answer: Extract<FromWorker, { type: "described" | "failed" }>;
  try {
    const mod = (await import(moduleUrl)) as Record<string, unknown>;
    const config = mod.config && typeof mod.config === "object" ? (JSON.parse(JSON.stringify(mod.config)) as Record<string, unknown>) : null;
    const methods = ["GET", "POST", "PUT", "PATCH", "DELETE"].filter((m) => typeof mod[m] === "function");
    answer = { type: "described", invocationId, config, methods };
  } catch (error) {
    answer = { type: "failed", invocationId, error: toBridgeError(error) };
  }
  post(cleanedUp(before, answer));
}

port.on("message", (message: ToWorker) => {
  if (message.type === "invoke") void invoke(message);
  else void describe(message.invocationId, message.moduleUrl);
});
post({ type: "ready" });
