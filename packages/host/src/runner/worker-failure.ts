import { BackfillError } from "@backfill-io/sdk";
import { ROUTE_MEMORY_LIMIT } from "./route-guards.js";

/** The route's worker or child crashed or exited before it answered. */
export const ROUTE_CRASHED = "route_crashed";

/** Why a worker or route child could not answer (`code`): it crashed or exited, or ran out of memory. */
export class WorkerFailure extends BackfillError<typeof ROUTE_CRASHED | typeof ROUTE_MEMORY_LIMIT> {
  constructor(kind: "crashed" | "memory_limit", message: string) {
    super(kind === "memory_limit" ? ROUTE_MEMORY_LIMIT : ROUTE_CRASHED, message);
    this.name = "WorkerFailure";
  }
}
