// What committing one ingested record does to the stored one: insert, update, leave it
// (unchanged), ignore it (stale: an older version than the stored one) or keep it
// suppressed (the stored record is a redaction tombstone). One decision, used by the
// host's store and the test runtime, so a route test stores exactly what the host would.
import { createHash } from "node:crypto";
import { ENTITY_KINDS, isEntityKind } from "../entities/registry.js";

export type RecordCommitDecision = "insert" | "update" | "unchanged" | "stale" | "suppressed";

/** The stored record as the decision needs it; undefined when none is stored. */
export type StoredRecordState = {
  tombstoned: boolean;
  payloadHash: string | null;
  /** The stored version (epoch ms of the provider's updated-at), null when unknown. */
  version: number | null;
};

export type IncomingRecordState = { payloadHash: string; version: number | null };

/** Canonical JSON (sorted keys), so equal payloads hash equal whatever their key order. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== "object") return JSON.stringify(value) ?? "null";
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
}

export function payloadHash(payload: unknown): string {
  return createHash("sha256").update(canonicalJson(payload)).digest("hex");
}

/**
 * The version of a canonical payload: its kind's versionField (the provider's updated-at,
 * an ISO date-time) as epoch milliseconds; null when absent or not a date.
 */
export function recordVersion(kind: string, payload: unknown): number | null {
  if (!isEntityKind(kind)) return null;
  const value = ((payload ?? {}) as Record<string, unknown>)[ENTITY_KINDS[kind].versionField];
  if (typeof value !== "string") return null;
  const millis = Date.parse(value);
  return Number.isFinite(millis) ? millis : null;
}

export function decideRecordCommit(stored: StoredRecordState | undefined, incoming: IncomingRecordState): RecordCommitDecision {
  if (!stored) return "insert";
  // A redacted record never comes back, whatever version arrives.
  if (stored.tombstoned) return "suppressed";
  // Only a known older version is stale: without both versions there is nothing to compare.
  if (stored.version !== null && incoming.version !== null && incoming.version < stored.version) return "stale";
  if (stored.payloadHash === incoming.payloadHash) return "unchanged";
  return "update";
}
