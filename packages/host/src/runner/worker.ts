// The route worker thread (trusted mode): route-host.ts runs the invocations; this file is
// the transport. Each SDK call is posted on the invocation's own MessagePort and the thread
// blocks on a SharedArrayBuffer (Atomics.wait + receiveMessageOnPort) until the main thread
// answers. One invocation at a time.
import { parentPort, receiveMessageOnPort, workerData, type MessagePort } from "node:worker_threads";
import { BackfillError, errorFromJSON } from "@backfill-io/sdk";
import { SIGNAL_INDEX, type BridgeCall, type BridgeReply, type FromWorker, type InvokeMessage, type ToWorker, type WorkerBootData } from "./protocol.js";
import { installRouteHost, type SyncCallChannel } from "./route-host.js";

const port = parentPort!;
const boot = workerData as WorkerBootData;
const signal = new Int32Array(boot.signal);
const routeHost = installRouteHost({ memoryLimitBytes: boot.memoryLimitBytes });

function post(message: FromWorker): void {
  port.postMessage(message);
}

function portChannel(invoke: InvokeMessage): SyncCallChannel {
  const callPort: MessagePort = invoke.port;
  let nextId = 1;
  return {
    call(method, args, waitMs = invoke.callTimeoutMs) {
      const id = nextId++;
      Atomics.store(signal, SIGNAL_INDEX, 0);
      callPort.postMessage({ id, method, args } satisfies BridgeCall);
      const deadline = Date.now() + waitMs;
      for (;;) {
        // Drain first: replies to earlier, timed-out calls are skipped by id.
        for (let m = receiveMessageOnPort(callPort); m; m = receiveMessageOnPort(callPort)) {
          const reply = m.message as BridgeReply;
          if (reply.id !== id) continue;
          if (reply.ok) return reply.value;
          throw errorFromJSON(reply.error);
        }
        const remaining = deadline - Date.now();
        if (remaining <= 0) throw new BackfillError("timeout", `${method}: the host did not answer within ${waitMs} ms`);
        Atomics.wait(signal, SIGNAL_INDEX, 0, remaining);
        Atomics.store(signal, SIGNAL_INDEX, 0);
      }
    },
    close: () => callPort.close(),
  };
}

port.on("message", (message: ToWorker) => {
  if (message.type === "invoke") void routeHost.invoke(message, portChannel(message)).then(post);
  else void routeHost.describe(message.invocationId, message.moduleUrl).then(post);
});
post({ type: "ready" });
