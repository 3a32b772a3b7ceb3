// The route worker thread (trusted mode): route-host.ts runs the invocations; this file is
// the transport. Each SDK call is posted on the worker's call port (set up once, at start)
// and the thread blocks on a SharedArrayBuffer (Atomics.wait + receiveMessageOnPort) until
// the main thread answers. One invocation at a time.
import { parentPort, receiveMessageOnPort, workerData } from "node:worker_threads";
import { BackfillError } from "@backfill-io/sdk";
import { errorFromJSON } from "@backfill-io/sdk/host";
import { SIGNAL_INDEX, type BridgeReply, type FromWorker, type InvokeMessage, type ToWorker, type WorkerBootData, type WorkerCall } from "./protocol.js";
import { answerMayBeFollowed, installRouteHost, type SyncCallChannel } from "./route-host.js";

const port = parentPort!;
const boot = workerData as WorkerBootData;
const signal = new Int32Array(boot.signal);
const callPort = boot.calls;
const routeHost = installRouteHost({ memoryLimitBytes: boot.memoryLimitBytes });
/** Call ids are unique for the worker's lifetime: a late reply to an earlier invocation's call never matches a later one. */
let nextCallId = 1;

function post(message: FromWorker): void {
  flushHeldAnswer();
  port.postMessage(message);
}

/**
 * A page's answer that a sync's next page may follow goes after that page's first SDK call
 * (its provider request), or on the loop's next turn when no page follows: so the main thread
 * has that request on its way before it stages and commits the answer, and both overlap the
 * provider's work. Posted first, the answer kept the request waiting ~0.25 ms a page.
 * (A follow-on that kills the worker before its first call loses the answer: that page is retried.)
 */
let heldAnswer: FromWorker | undefined;

function flushHeldAnswer(): void {
  if (!heldAnswer) return;
  const answer = heldAnswer;
  heldAnswer = undefined;
  port.postMessage(answer);
}

function postAnswer(answer: FromWorker): void {
  if (!answerMayBeFollowed(answer)) return post(answer);
  flushHeldAnswer();
  heldAnswer = answer;
  setImmediate(flushHeldAnswer);
}

function callChannel(invoke: InvokeMessage): SyncCallChannel {
  return {
    call(method, args, waitMs = invoke.callTimeoutMs, deferred) {
      const id = nextCallId++;
      Atomics.store(signal, SIGNAL_INDEX, 0);
      callPort.postMessage({ invocationId: invoke.invocationId, id, method, args, ...(deferred ? { deferred } : {}) } satisfies WorkerCall);
      flushHeldAnswer();
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
    // The call port lives as long as the worker; the ended binding refuses further calls.
    close: () => undefined,
  };
}

/**
 * One invocation at a time, in the order sent: a sync's next page comes while the page before
 * it runs (InvokeMessage.checkpointFrom) and starts the moment that one answered, without
 * waiting for the main thread. A rejection (a bug here, not a route's error) crashes the worker.
 */
let turn: Promise<void> = Promise.resolve();
const cancelledThrough = new BigInt64Array(boot.cancelledThrough);
port.on("message", (message: ToWorker) => {
  turn = turn.then(() => {
    if (message.type === "describe") return routeHost.describe(message.invocationId, message.moduleUrl).then(post);
    // A page sent ahead of a sync that was cancelled meanwhile does not start.
    if (message.checkpointFrom && BigInt(message.invocationId) <= Atomics.load(cancelledThrough, 0)) return post({ type: "skipped", invocationId: message.invocationId });
    return routeHost.invoke(message, callChannel(message)).then(postAnswer);
  });
});
post({ type: "ready" });
