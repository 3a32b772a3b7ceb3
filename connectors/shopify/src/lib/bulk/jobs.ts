// The Admin calls of a bulk operation: start, status, cancel. Outcomes are explicit: the
// shop's slots are taken (another job of ours or another app's: wait), Shopify refused the
// query (a defect here: fail loudly), or the usual Admin failures.
import type { AdminResult } from "../admin-api.js";
import type { AdminSession } from "../follow-ups.js";
import { BULK_CANCEL_MUTATION, BULK_RUN_MUTATION, BULK_STATUS_QUERY } from "../documents.js";

export type BulkJobStatus = {
  id: string;
  status: "CREATED" | "RUNNING" | "COMPLETED" | "FAILED" | "CANCELING" | "CANCELED" | "EXPIRED";
  errorCode: string | null;
  objectCount: string;
  rootObjectCount: string;
  fileSize: string | null;
  url: string | null;
  partialDataUrl: string | null;
};

type UserError = { field: string[] | null; message: string; code: string | null };
type RunData = { bulkOperationRunQuery: { bulkOperation: { id: string } | null; userErrors: UserError[] } };

export type StartOutcome =
  { kind: "started"; id: string } | { kind: "slots_taken"; message: string } | { kind: "refused"; messages: string[] } | Exclude<AdminResult<unknown>, { kind: "data" }>;

export function startBulkJob(session: AdminSession, query: string): StartOutcome {
  const result = session.query<RunData>(BULK_RUN_MUTATION, { query });
  if (result.kind !== "data") return result;
  const { bulkOperation, userErrors } = result.data.bulkOperationRunQuery;
  const busy = userErrors.find((e) => e.code === "OPERATION_IN_PROGRESS" || e.code === "LIMIT_REACHED");
  if (busy) return { kind: "slots_taken", message: busy.message };
  if (userErrors.length || !bulkOperation) return { kind: "refused", messages: userErrors.map((e) => e.message) };
  return { kind: "started", id: bulkOperation.id };
}

export function bulkJobStatus(session: AdminSession, id: string): AdminResult<{ bulkOperation: BulkJobStatus | null }> {
  return session.query<{ bulkOperation: BulkJobStatus | null }>(BULK_STATUS_QUERY, { id });
}

export function cancelBulkJob(session: AdminSession, id: string): AdminResult<unknown> {
  return session.query(BULK_CANCEL_MUTATION, { id });
}
