// What a stream's committed checkpoint must look like before route code reads it. Both
// bindings (the host's worker bridge and connectorTestRuntime) answer Checkpoint.get with
// the stored JSON; this check runs on the route's side of either, so a checkpoint that no
// longer matches the route's schema (a corrupted row, an older layout) fails the same way
// everywhere: a clear error naming the fields, never the values, and nothing committed.
import type { z } from "zod";
import { BackfillError } from "../runtime/errors.js";
import { CHECKPOINT_INVALID } from "../runtime/error-codes.js";

export { CHECKPOINT_INVALID };

export type CheckpointIssue = { path: string; message: string };

/** The issues of a failed parse, by path and zod's message (zod's messages name types, not values). */
function issuesOf(error: z.ZodError): CheckpointIssue[] {
  return error.issues.map((issue) => ({ path: issue.path.map(String).join(".") || "(root)", message: issue.message }));
}

/**
 * The stored state parsed by `schema` (defaults applied, unknown keys as the schema says);
 * undefined stays undefined (the stream's first run). Throws BackfillError checkpoint_invalid.
 */
export function parseCheckpoint<S extends z.ZodType>(stream: string, stored: unknown, schema: S): z.output<S> | undefined {
  if (stored === undefined) return undefined;
  const parsed = schema.safeParse(stored);
  if (parsed.success) return parsed.data;
  const issues = issuesOf(parsed.error);
  const where = issues
    .slice(0, 3)
    .map((i) => `${i.path}: ${i.message}`)
    .join("; ");
  throw new BackfillError(CHECKPOINT_INVALID, `Checkpoint of stream "${stream}" does not match its schema (${where})`, { stream, issues });
}

/** The arguments of Checkpoint.set as the host stages them; checked on both sides of the host's bridge (see checkIngestCall). */
export function checkCheckpointSet(stream: unknown, state: unknown): void {
  if (typeof stream !== "string" || !stream) throw new BackfillError("invalid_request", "Checkpoint.set: stream is required");
  if (!state || typeof state !== "object") throw new BackfillError("invalid_request", "Checkpoint.set: state must be an object");
}
