// Provider deletions (Records.delete) in the test runtime, decided by the same policy the
// host's store uses: staged with the route and committed only when it answers 2xx.
import { afterEach, describe, expect, it } from "vitest";
import { api, defineConnector, ingest, Records } from "../src/index.js";
import { decideRecordDelete, validateDeletions } from "../src/policy/index.js";
import { connectorTestRuntime, type ConnectorTestRuntime } from "../src/testing/index.js";

const manifest = defineConnector({
  key: "example",
  name: "Example",
  version: "0.1.0",
  permissions: { http: ["https://api.example.com/*"], entities: { Customer: ["write"], SalesReceipt: ["read"] }, secrets: {} },
  connection: { settingsSchema: { properties: {} } },
});

let runtime: ConnectorTestRuntime | undefined;
afterEach(() => runtime?.restore());
const rt = () => (runtime = connectorTestRuntime({ manifest }).install());

const customer = (id: string, updatedAt: string) => ({ customer_id: id, display_name: id, provider_updated_at: updatedAt });

/** Ingests `customers`, deletes `deletions`, answers `status`. */
const route = api((request) => {
  const { customers, deletions, status, kind } = request.body as { customers?: unknown[]; deletions?: { id: string; deletedAt?: string }[]; status?: number; kind?: string };
  if (customers) ingest.batch("customer", customers);
  const result = deletions ? Records.delete((kind ?? "customer") as "customer", deletions) : undefined;
  return api.json({ result }, { status: status ?? 200 });
});

describe("decideRecordDelete and validateDeletions", () => {
  it.each([
    ["nothing stored", undefined, 5, "tombstone"],
    ["a tombstone", { tombstoned: true, payloadHash: null, version: 1 }, 5, "already_deleted"],
    ["a version newer than the deletion", { tombstoned: false, payloadHash: "h", version: 9 }, 5, "stale"],
    ["an older version", { tombstoned: false, payloadHash: "h", version: 3 }, 5, "delete"],
    ["no deletion time", { tombstoned: false, payloadHash: "h", version: 9 }, null, "delete"],
  ] as const)("%s → %s", (_name, stored, at, expected) => {
    expect(decideRecordDelete(stored, at)).toBe(expected);
  });

  it("keys by the kind's id or the idempotency key; a bad date or a missing id is a clear error", () => {
    expect(validateDeletions("customer", [{ id: "c1", deletedAt: "2026-01-01T00:00:00Z" }, { idempotencyKey: "k" }])).toEqual([
      { idempotencyKey: "customer:c1", deletedAt: Date.parse("2026-01-01T00:00:00Z") },
      { idempotencyKey: "k", deletedAt: null },
    ]);
    expect(() => validateDeletions("customer", [{ id: "c1", deletedAt: "yesterday" }])).toThrow(/item 0 deletedAt is not an ISO 8601/);
    expect(() => validateDeletions("customer", [{}])).toThrow(/item 0 has no id/);
  });
});

describe("connectorTestRuntime: Records.delete", () => {
  it("tombstones on commit, keeps the deletion time, and a later sync never brings the record back", async () => {
    const r = rt();
    await r.call(route, { method: "POST", body: { customers: [customer("c1", "2026-01-01T00:00:00Z"), customer("c2", "2026-01-01T00:00:00Z")] } });
    const res = await r.call(route, { method: "POST", body: { deletions: [{ id: "c1", deletedAt: "2026-02-01T00:00:00Z" }, { id: "c9" }] } });
    expect(await res.json()).toEqual({ result: { staged: 2 } });
    expect(r.records("customer").map((c) => c.customer_id)).toEqual(["c2"]);
    expect(r.deletions.map((d) => d.decision)).toEqual(["delete", "tombstone"]);
    expect(r.storedRecords().find((s) => s.idempotencyKey === "customer:c1")).toMatchObject({ redacted: true, deletedAt: Date.parse("2026-02-01T00:00:00Z") });
    await r.call(route, { method: "POST", body: { customers: [customer("c1", "2026-03-01T00:00:00Z"), customer("c9", "2026-03-01T00:00:00Z")] } });
    expect(r.records("customer").map((c) => c.customer_id)).toEqual(["c2"]);
  });

  it("a route that fails deletes nothing, and a kind the manifest may not write is refused", async () => {
    const r = rt();
    await r.call(route, { method: "POST", body: { customers: [customer("c1", "2026-01-01T00:00:00Z")] } });
    await r.call(route, { method: "POST", body: { deletions: [{ id: "c1" }], status: 500 } });
    expect(r.records("customer")).toHaveLength(1);
    const refused = await r.call(route, { method: "POST", body: { kind: "sales_receipt", deletions: [{ id: "r1" }] } });
    expect(refused.status).toBe(500);
    expect(r.deletions).toEqual([]);
  });
});
