// What route code may not do to the process that runs it, whatever the mode: signal or exit
// it (or its parent), load native code, or hold more memory than its cap outside the V8 heap
// (Buffers). Installed before any route module loads; the trusted worker and the isolated
// child both use it. In trusted mode this is a guard against accidents, not a sandbox: code
// with child_process or the file system can still reach the host (README "Trust model").
import { BackfillError } from "@backfill-io/sdk";
import { getHeapStatistics } from "node:v8";

/** A route called process.kill/abort/exit/reallyExit/dlopen. */
export const PROCESS_CONTROL_DENIED = "process_control_denied";
/** A route held more memory than its cap (V8 heap limit, or Buffers counted by the guard). */
export const ROUTE_MEMORY_LIMIT = "route_memory_limit";

/** Why the runner stopped a route; `code` crosses the bridge to the host's answer. */
export class RouteGuardError extends BackfillError<typeof PROCESS_CONTROL_DENIED | typeof ROUTE_MEMORY_LIMIT> {
  constructor(code: typeof PROCESS_CONTROL_DENIED | typeof ROUTE_MEMORY_LIMIT, message: string) {
    super(code, message);
    this.name = "RouteGuardError";
  }
}

/** process methods that reach the process itself (kill: also any other pid, e.g. the host's parent). */
const PROCESS_CONTROL_METHODS = ["kill", "_kill", "abort", "exit", "reallyExit", "dlopen"] as const;

type ProcessControlMethod = (typeof PROCESS_CONTROL_METHODS)[number];

export type ProcessControlGuard = {
  /** True once route code tried one of the methods (the worker is then never reused). */
  readonly attempted: boolean;
};

/**
 * Node's own shutdown of this thread or process: its uncaught-exception handler sets
 * process._exiting and then calls process.exit(), and exit() calls reallyExit(). Refusing
 * those would throw inside Node's fatal-error path and bring the whole host down.
 */
function nodeIsExiting(method: ProcessControlMethod): boolean {
  return (method === "exit" || method === "reallyExit") && (process as { _exiting?: boolean })._exiting === true;
}

/**
 * Replaces the process-control methods with ones that throw process_control_denied, as
 * non-writable, non-configurable properties so route code cannot put the originals back.
 */
export function denyProcessControl(): ProcessControlGuard {
  let attempted = false;
  const target = process as unknown as Record<ProcessControlMethod, (...args: unknown[]) => unknown>;
  for (const name of PROCESS_CONTROL_METHODS) {
    const original = target[name];
    Object.defineProperty(process, name, {
      value: (...args: unknown[]) => {
        if (nodeIsExiting(name)) return original.apply(process, args);
        attempted = true;
        throw new RouteGuardError(PROCESS_CONTROL_DENIED, `process.${name}: a route cannot signal, exit or load native code into the process that runs it`);
      },
      writable: false,
      configurable: false,
      enumerable: false,
    });
  }
  return {
    get attempted() {
      return attempted;
    },
  };
}

/** Memory V8 knows of outside its heap (Buffers, ArrayBuffers) in this isolate. */
export function externalMemoryBytes(): number {
  return (getHeapStatistics() as { external_memory?: number }).external_memory ?? 0;
}

/** Throws route_memory_limit when this isolate's Buffers exceed `limitBytes` (the heap limit does not count them). */
export function assertExternalMemoryWithin(limitBytes: number): void {
  const held = externalMemoryBytes();
  if (held > limitBytes) {
    throw new RouteGuardError(ROUTE_MEMORY_LIMIT, `the route holds ${Math.round(held / 2 ** 20)} MB of Buffers, more than its ${Math.round(limitBytes / 2 ** 20)} MB limit`);
  }
}
