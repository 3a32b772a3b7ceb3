// What committing one ingested record does to the stored one: insert, update, leave it
// (unchanged), ignore it (stale: an older version than the stored one) or keep it
// suppressed (the stored record is a redaction tombstone). One decision, used by the
// host's store and the test runtime, so a route test stores exactly what the host would.
import { hash } from "node:crypto";
import { ENTITY_KINDS, isEntityKind } from "../entities/registry.js";
import { BackfillError } from "../runtime/errors.js";

export type RecordCommitDecision = "insert" | "update" | "unchanged" | "stale" | "suppressed";

/**
 * What a provider's deletion does to the stored record: tombstone it (`delete`), store a
 * tombstone for a record never seen (`tombstone`: a late, older upsert must not create it),
 * nothing (`already_deleted`), or nothing because the stored version is newer than the
 * deletion (`stale`).
 */
export type RecordDeleteDecision = "delete" | "tombstone" | "already_deleted" | "stale";

/** The stored record as the decision needs it; undefined when none is stored. */
export type StoredRecordState = {
  tombstoned: boolean;
  payloadHash: string | null;
  /** The stored version (epoch ms of the provider's updated-at), null when unknown. */
  version: number | null;
};

export type IncomingRecordState = { payloadHash: string; version: number | null };

/**
 * Canonical JSON (sorted keys), so equal payloads hash equal whatever their key order. Written
 * out by hand rather than with entries, filter, sort and map: every record of every page is
 * serialised here (~30% faster). A hole in an array is `null`, as JSON.stringify writes it.
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== "object") return JSON.stringify(value) ?? "null";
  if (Array.isArray(value)) {
    let out = "[";
    for (let i = 0; i < value.length; i++) out += (i > 0 ? "," : "") + (i in value ? canonicalJson(value[i]) : "null");
    return `${out}]`;
  }
  const record = value as Record<string, unknown>;
  let out = "{";
  for (const key of Object.keys(record).sort()) {
    const field = record[key];
    if (field === undefined) continue;
    out += `${out.length > 1 ? "," : ""}${JSON.stringify(key)}:${canonicalJson(field)}`;
  }
  return `${out}}`;
}

export function payloadHash(payload: unknown): string {
  return canonicalPayload(payload).hash;
}

/** A payload serialised once: its canonical JSON (what a store keeps) and that text's hash. */
export type CanonicalPayload = { json: string; hash: string };

export function canonicalPayload(payload: unknown): CanonicalPayload {
  const json = canonicalJson(payload);
  // crypto.hash: one call, no Hash object per record (half the cost of createHash's three).
  return { json, hash: hash("sha256", json, "hex") };
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

export function decideRecordDelete(stored: StoredRecordState | undefined, deletedAt: number | null): RecordDeleteDecision {
  if (!stored) return "tombstone";
  if (stored.tombstoned) return "already_deleted";
  if (stored.version !== null && deletedAt !== null && deletedAt < stored.version) return "stale";
  return "delete";
}

export type RecordDeletion = {
  /** The record's canonical id (the kind's id field): its key is `<kind>:<id>`, as ingest's default. */
  id?: string;
  /** Or the idempotency key it was ingested with. */
  idempotencyKey?: string;
  /** When the provider deleted it (ISO 8601); default: when the host commits. */
  deletedAt?: string;
};

export type ValidatedDeletion = { idempotencyKey: string; deletedAt: number | null };

/** Checks `Records.delete` input: each item names one record, and its deletion time is a date. */
export function validateDeletions(kind: string, deletions: readonly RecordDeletion[]): ValidatedDeletion[] {
  // Checked as unknown: callers may pass anything, and Array.isArray narrows a typed readonly array to any[].
  const items: unknown = deletions;
  if (!Array.isArray(items)) throw new BackfillError("invalid_request", "Records.delete: pass an array of { id } or { idempotencyKey }");
  if (deletions.length > 1000) throw new BackfillError("invalid_request", "Records.delete: at most 1000 records per call");
  return deletions.map((d, index) => {
    const key = typeof d?.idempotencyKey === "string" && d.idempotencyKey ? d.idempotencyKey : typeof d?.id === "string" && d.id ? `${kind}:${d.id}` : undefined;
    if (!key) throw new BackfillError("invalid_request", `Records.delete: item ${index} has no id or idempotencyKey`);
    if (d.deletedAt === undefined) return { idempotencyKey: key, deletedAt: null };
    const at = typeof d.deletedAt === "string" ? Date.parse(d.deletedAt) : NaN;
    if (!Number.isFinite(at)) throw new BackfillError("invalid_request", `Records.delete: item ${index} deletedAt is not an ISO 8601 date-time`);
    return { idempotencyKey: key, deletedAt: at };
  });
}

/** The host's check of what crossed the bridge: `validateDeletions`'s output shape, nothing else. */
export function checkValidatedDeletions(deletions: unknown): ValidatedDeletion[] {
  if (!Array.isArray(deletions) || deletions.length > 1000) throw new BackfillError("invalid_request", "Records.delete: at most 1000 deletions, as an array");
  return deletions.map((d: unknown, index) => {
    const item = (d ?? {}) as { idempotencyKey?: unknown; deletedAt?: unknown };
    if (typeof item.idempotencyKey !== "string" || !item.idempotencyKey || item.idempotencyKey.length > 500)
      throw new BackfillError("invalid_request", `Records.delete: item ${index} has no idempotency key`);
    if (item.deletedAt !== null && !(typeof item.deletedAt === "number" && Number.isFinite(item.deletedAt)))
      throw new BackfillError("invalid_request", `Records.delete: item ${index} has no valid deletion time`);
    return { idempotencyKey: item.idempotencyKey, deletedAt: item.deletedAt };
  });
}
