// The route worker: imports a route module, installs a HostBinding whose every call
// blocks on the main thread (SharedArrayBuffer + Atomics.wait + receiveMessageOnPort),
// calls the route and posts the Response back. One invocation at a time.
import { parentPort, receiveMessageOnPort, workerData, type MessagePort } from "node:worker_threads";
import { bindHost, errorFromJSON, BackfillError, registerSecret, redact, type HostBinding } from "@backfill-io/sdk";
import { SIGNAL_INDEX, type BridgeCall, type BridgeError, type BridgeReply, type FromWorker, type InvokeMessage, type ToWorker, type WorkerBootData } from "./protocol.js";

const port = parentPort!;
const signal = new Int32Array((workerData as WorkerBootData).signal);

/** Globals present before any route ran; anything else a route adds is removed after it. */
const baselineGlobals = new Set(Reflect.ownKeys(globalThis));

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
    setConnectionStatus: (change) => void call("setConnectionStatus", [change]),
  };
  return {
    binding,
    close: () => {
      closed = true;
      callPort.close();
    },
  };
}

function restoreGlobals(): void {
  for (const key of Reflect.ownKeys(globalThis)) {
    if (baselineGlobals.has(key)) continue;
    try {
      delete (globalThis as Record<PropertyKey, unknown>)[key];
    } catch {
      // non-configurable: the main thread replaces this worker (see "dirty")
    }
  }
}

async function invoke(message: InvokeMessage): Promise<void> {
  const { binding, close } = makeBinding(message);
  const unbind = bindHost(binding);
  try {
    const mod = (await import(message.moduleUrl)) as Record<string, unknown>;
    const handler = mod[message.exportName];
    if (typeof handler !== "function") {
      post({ type: "result", invocationId: message.invocationId, status: 405, headers: { "content-type": "application/json" }, bodyText: JSON.stringify({ error: { code: "method_not_allowed", message: `route does not export ${message.exportName}` } }) });
      return;
    }
    const response: unknown = await (handler as (input: unknown) => unknown)(message.input);
    if (!(response instanceof Response)) throw new TypeError("route must return a Response (wrap the handler in api(...))");
    const headers: Record<string, string> = {};
    response.headers.forEach((value, key) => (headers[key] = value));
    const bodyText = await response.text();
    post({ type: "result", invocationId: message.invocationId, status: response.status, headers, bodyText });
  } catch (error) {
    post({ type: "failed", invocationId: message.invocationId, error: toBridgeError(error) });
  } finally {
    unbind();
    close();
    restoreGlobals();
  }
}

async function describe(invocationId: number, moduleUrl: string): Promise<void> {
  try {
    const mod = (await import(moduleUrl)) as Record<string, unknown>;
    const config = mod.config && typeof mod.config === "object" ? (JSON.parse(JSON.stringify(mod.config)) as Record<string, unknown>) : null;
    const methods = ["GET", "POST", "PUT", "PATCH", "DELETE"].filter((m) => typeof mod[m] === "function");
    post({ type: "described", invocationId, config, methods });
  } catch (error) {
    post({ type: "failed", invocationId, error: toBridgeError(error) });
  }
}

port.on("message", (message: ToWorker) => {
  if (message.type === "invoke") void invoke(message);
  else void describe(message.invocationId, message.moduleUrl);
});
post({ type: "ready" });
