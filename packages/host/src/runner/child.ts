// The route child process (isolated mode): route-host.ts runs the invocations, as in a worker
// thread; this file is the transport. The host starts it under Node's permission model (reads
// limited to the connector's and the SDK's packages, no writes, no child processes, no
// workers) with an empty environment. Messages are frames on fd 3 (to the host) and fd 4
// (from the host); an SDK call writes its frame and blocks in readSync until the reply frame
// arrives: the permission model checks paths when files are opened, not reads and writes on
// inherited descriptors. No worker is needed inside the child.
import { readSync, writeSync } from "node:fs";
import { BackfillError, HOST_ERROR } from "@backfill-io/sdk";
import { errorFromJSON } from "@backfill-io/sdk/host";
import { encodeFrame, readFrameSync } from "./frames.js";
import { CHILD_FROM_HOST_FD, CHILD_TO_HOST_FD, type FromChild, type ToChild } from "./protocol.js";
import { installRouteHost, type RouteInvocation, type SyncCallChannel } from "./route-host.js";

const routeHost = installRouteHost({ memoryLimitBytes: Number(process.argv[2]) });
const pause = new Int32Array(new SharedArrayBuffer(4));

function send(message: FromChild): void {
  const frame = encodeFrame(message);
  for (let offset = 0; offset < frame.length;) {
    try {
      offset += writeSync(CHILD_TO_HOST_FD, frame, offset);
    } catch (error) {
      if ((error as { code?: string }).code !== "EAGAIN") throw error;
      Atomics.wait(pause, 0, 0, 1);
    }
  }
}

/** Blocks until `bytes` bytes arrived from the host; throws HostGone when the host closed the pipe. */
function readExactly(bytes: number): Buffer {
  const buffer = Buffer.allocUnsafe(bytes);
  for (let offset = 0; offset < bytes;) {
    let got: number;
    try {
      got = readSync(CHILD_FROM_HOST_FD, buffer, offset, bytes - offset, null);
    } catch (error) {
      if ((error as { code?: string }).code !== "EAGAIN") throw error;
      Atomics.wait(pause, 0, 0, 1);
      continue;
    }
    if (got === 0) throw new HostGone();
    offset += got;
  }
  return buffer;
}

/** The host closed the pipe: nothing more will come, so the child stops reading and ends. */
class HostGone extends Error {}

function frameChannel(invocation: RouteInvocation): SyncCallChannel {
  let nextId = 1;
  return {
    call(method, args, _waitMs, deferred) {
      const id = nextId++;
      send({ type: "call", invocationId: invocation.invocationId, call: { id, method, args, ...(deferred ? { deferred } : {}) } });
      for (;;) {
        const message = readFrameSync(readExactly) as ToChild;
        // Only replies arrive during a call; one for an earlier, timed-out call is skipped by id.
        if (message.type !== "reply" || message.reply.id !== id) continue;
        if (message.reply.ok) return message.reply.value;
        throw errorFromJSON(message.reply.error);
      }
    },
    close: () => undefined,
  };
}

/** Takes the next message (blocking while idle: nothing else should run between invocations). */
function serveNext(): void {
  let message: ToChild;
  try {
    message = readFrameSync(readExactly) as ToChild;
  } catch (error) {
    if (error instanceof HostGone) return;
    throw error;
  }
  const answered =
    message.type === "invoke"
      ? routeHost.invoke(message.invocation, frameChannel(message.invocation))
      : message.type === "describe"
        ? routeHost.describe(message.invocationId, message.moduleUrl)
        : null;
  if (!answered) return void setImmediate(serveNext);
  void answered.then(
    (answer) => {
      send(answer);
      setImmediate(serveNext);
    },
    (error: unknown) => {
      throw new BackfillError(HOST_ERROR, `route child: ${(error as Error).message}`);
    },
  );
}

send({ type: "ready" });
setImmediate(serveNext);
