// Messages between the main thread and a route worker. Two channels per worker, both set
// up once when it starts: the worker's parentPort carries invoke/result, a MessagePort of
// its own carries the SDK calls. A call names its invocation and a call id unique for the
// worker's lifetime, so a reply meant for one call (or one invocation) never answers another.
import type { MessagePort } from "node:worker_threads";
import type { CheckpointState, ConnectionInfo, ConnectorManifest, HttpResponse } from "@backfill-io/sdk";
import type { HostBinding } from "@backfill-io/sdk/host";

/** The HostBinding methods that cross the bridge (everything but `manifest`). */
export type BridgeMethod = Exclude<keyof HostBinding, "manifest" | "connectionInfo">;

/**
 * The calls that answer nothing the route could not compute itself (Checkpoint.set, log,
 * ingest): the route's side checks them with the SDK policy, answers at once and sends them
 * with its next call or with its answer, instead of a round trip each. The host runs them,
 * in order and with the same checks, before that call (or before it takes the answer).
 */
export type DeferredMethod = Extract<BridgeMethod, "setCheckpoint" | "log" | "ingest">;
/** `args` as v8.serialize wrote them when the route made the call (what the route changes afterwards is not sent). */
export type DeferredCall = { method: DeferredMethod; args: Uint8Array };

/** `deferred`: the batched calls made before this one, to run first. */
export type BridgeCall = { id: number; method: BridgeMethod; args: unknown[]; deferred?: DeferredCall[] };
/** An SDK call on the worker's call port: which invocation made it. */
export type WorkerCall = BridgeCall & { invocationId: number };
export type BridgeError = { name?: string; code?: string; message: string; details?: Record<string, unknown>; fix?: string };
export type BridgeReply = { id: number; ok: true; value: unknown } | { id: number; ok: false; error: BridgeError };

/** Index 0 of the per-worker Int32Array: 0 = waiting, 1 = a reply was posted. */
export const SIGNAL_INDEX = 0;

export type RouteInputMessage = {
  method: string;
  path: string;
  query: Record<string, string>;
  headers: Record<string, string>;
  /** The request body exactly as received (signatures are checked over these bytes). */
  rawBodyBytes: Uint8Array;
};

export type InvokeMessage = {
  type: "invoke";
  invocationId: number;
  /** file: URL of the route module. */
  moduleUrl: string;
  /** The export to call: the HTTP method (GET, POST, ...). */
  exportName: string;
  input: RouteInputMessage;
  /**
   * Left out when it is the manifest this isolate was last sent (withManifestOnce): the route
   * side keeps it. Cloning it for every page cost ~40 µs of a sync page's critical path.
   */
  manifest?: ConnectorManifest;
  /** Non-secret and fixed for the invocation, so it travels with it (no bridge call). */
  connectionInfo: ConnectionInfo;
  /**
   * The settings Settings.get may read (x-secret ones left out), fixed for the invocation:
   * answered in the route's isolate without a bridge call. A name not here goes to the
   * host, which answers it (undefined) or refuses it as before.
   */
  readableSettings: Record<string, unknown>;
  /**
   * Checkpoint states Checkpoint.get answers in the route's isolate, without a bridge call
   * (RunRouteRequest.checkpoints: the sync engine's stream). A stream not here goes to the host.
   */
  checkpoints?: Record<string, CheckpointState | undefined>;
  /**
   * A sync's next page, sent while the page before it runs (a worker takes it as soon as that
   * one ends, without waiting for the host): `stream`'s checkpoint is the one invocation
   * `invocationId` staged, when that page allows a follow-on (follow-on.ts); otherwise this
   * invocation does not run and is answered `skipped`.
   */
  checkpointFrom?: { invocationId: number; stream: string };
  callTimeoutMs: number;
};

/**
 * Http's answer as it crosses the bridge: the body as text, parsed by its content type in the
 * route's isolate (the SDK's parseResponseBody): a JSON body is parsed once, where it is used,
 * not on the main thread and then cloned across as an object graph.
 */
export type BridgedHttpResponse = Omit<HttpResponse, "body"> & { bodyText: string };

/**
 * The main side of "the manifest crosses once": an executor (worker or child) keeps one of
 * these and sends each invocation through it. A manifest is the same object for every page
 * of a sync (the engine resolves the connection once).
 */
export function manifestSentOnce(): (message: InvokeMessage) => InvokeMessage {
  let sent: ConnectorManifest | undefined;
  return (message) => {
    if (message.manifest === undefined || message.manifest !== sent) {
      sent = message.manifest;
      return message;
    }
    const { manifest: _same, ...rest } = message;
    return rest;
  };
}

export type DescribeMessage = { type: "describe"; invocationId: number; moduleUrl: string };

export type ToWorker = InvokeMessage | DescribeMessage;

export type RouteConfigExport = { auth?: string } & Record<string, unknown>;

/**
 * `dirty`: route code left timers running or globals that could not be undone; the worker must not be reused.
 * `deferred`: the batched calls not yet sent (DeferredCall), to run before the answer is taken.
 */
export type FromWorker =
  | { type: "ready" }
  | { type: "result"; invocationId: number; status: number; headers: Record<string, string>; bodyText: string; dirty?: boolean; deferred?: DeferredCall[] }
  | { type: "failed"; invocationId: number; error: BridgeError; dirty?: boolean; deferred?: DeferredCall[] }
  /** An invocation with `checkpointFrom` whose page before it allowed no follow-on: it did not run. */
  | { type: "skipped"; invocationId: number }
  | { type: "described"; invocationId: number; config: RouteConfigExport | null; methods: string[]; dirty?: boolean };

/** memoryLimitBytes: the cap on Buffers (outside the V8 heap limit) the worker's guard enforces; calls: the worker's end of its call port. */
export type WorkerBootData = {
  signal: SharedArrayBuffer;
  memoryLimitBytes: number;
  calls: MessagePort;
  /**
   * BigInt64Array[1]: the sync's next pages sent ahead (checkpointFrom) with an id up to this one
   * were cancelled; one not yet started is answered `skipped`. Shared memory, not a message: the
   * worker reads it between two invocations, before its loop would take a message.
   */
  cancelledThrough: SharedArrayBuffer;
};

// Isolated mode: the same messages between the host and a route child process, as
// length-prefixed frames (uint32 big-endian length + v8.serialize) on two extra pipes:
// fd 3 child → host, fd 4 host → child. An SDK call carries its invocation's id; its reply
// is a frame of its own, the child blocking in readSync until it arrives.
export type ToChild = { type: "invoke"; invocation: InvokeMessage } | DescribeMessage | { type: "reply"; reply: BridgeReply };

export type FromChild = FromWorker | { type: "call"; invocationId: number; call: BridgeCall };

/** The child's end of the frame pipes. */
export const CHILD_FROM_HOST_FD = 4;
export const CHILD_TO_HOST_FD = 3;
