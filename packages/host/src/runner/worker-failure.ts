/** Why a worker or route child could not answer: it crashed, exited or ran out of memory. */
export class WorkerFailure extends Error {
  constructor(
    readonly kind: "crashed" | "memory_limit",
    message: string,
  ) {
    super(message);
    this.name = "WorkerFailure";
  }
}
