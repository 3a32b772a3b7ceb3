// Webhook deduplication (Webhooks.*), version-ordered commits (policy/commit.ts) and raw
// body bytes, in the test runtime: the same rules the host applies.
import { afterEach, describe, expect, it } from "vitest";
import { api, defineConnector, ingest, Records, Webhooks, WEBHOOK_DELIVERY_RETENTION_MS } from "../src/index.js";
import { normalizeRouteInput } from "../src/host/index.js";
import { decideRecordCommit, payloadHash, recordVersion } from "../src/policy/index.js";
import { connectorTestRuntime, type ConnectorTestRuntime } from "../src/testing/index.js";

const manifest = defineConnector({
  key: "example",
  name: "Example",
  version: "0.1.0",
  permissions: { http: ["https://api.example.com/*"], entities: { Customer: ["write"] }, secrets: {} },
  connection: { settingsSchema: { properties: {} } },
});

let runtime: ConnectorTestRuntime | undefined;
afterEach(() => runtime?.restore());

function rt(options: Parameters<typeof connectorTestRuntime>[0] = {}) {
  runtime = connectorTestRuntime({ manifest, ...options }).install();
  return runtime;
}

const customer = (updatedAt: string | undefined, name: string) => ({ customer_id: "c1", display_name: name, ...(updatedAt ? { provider_updated_at: updatedAt } : {}) });

/** Ingests the payloads, marks the delivery ids processed, then answers `status`. */
const deliver = api((request) => {
  const { ids, customers, status, redact } = request.body as { ids: string[]; customers?: unknown[]; status?: number; redact?: boolean };
  if (Webhooks.alreadyProcessed(ids)) return api.json({ duplicate: true });
  if (customers) ingest.batch("customer", customers);
  if (redact) Records.redact({ customerId: "c1" });
  Webhooks.markProcessed(ids);
  return api.json({ ok: true }, { status: status ?? 200 });
});

describe("decideRecordCommit", () => {
  const stored = (version: number | null, hash = "h1", tombstoned = false) => ({ tombstoned, payloadHash: hash, version });
  it.each([
    ["nothing stored", undefined, { payloadHash: "h1", version: 5 }, "insert"],
    ["a tombstone", stored(5, "h1", true), { payloadHash: "h2", version: 9 }, "suppressed"],
    ["an older version", stored(5), { payloadHash: "h2", version: 4 }, "stale"],
    ["the same version, same payload", stored(5), { payloadHash: "h1", version: 5 }, "unchanged"],
    ["the same version, another payload", stored(5), { payloadHash: "h2", version: 5 }, "update"],
    ["a newer version", stored(5), { payloadHash: "h2", version: 6 }, "update"],
    ["no incoming version", stored(5), { payloadHash: "h2", version: null }, "update"],
    ["no stored version", stored(null), { payloadHash: "h2", version: 1 }, "update"],
  ] as const)("%s → %s", (_name, s, incoming, expected) => {
    expect(decideRecordCommit(s, incoming)).toBe(expected);
  });

  it("reads the version from the kind's provider_updated_at, whatever the offset", () => {
    expect(recordVersion("customer", { provider_updated_at: "2026-01-05T07:00:00-05:00" })).toBe(Date.parse("2026-01-05T12:00:00Z"));
    expect(recordVersion("customer", { provider_updated_at: "not a date" })).toBeNull();
    expect(recordVersion("customer", {})).toBeNull();
    expect(payloadHash({ a: 1, b: 2 })).toBe(payloadHash({ b: 2, a: 1 }));
  });
});

describe("connectorTestRuntime: versions", () => {
  it("v1, v2, then v1 replayed: v2 stays stored, the replay counted stale", async () => {
    const r = rt();
    const versions = [
      ["2026-01-01T00:00:00Z", "v1"],
      ["2026-01-02T00:00:00Z", "v2"],
      ["2026-01-01T00:00:00Z", "v1"],
    ] as const;
    for (const [i, [at, name]] of versions.entries()) {
      expect((await r.call(deliver, { body: { ids: [`delivery-${i}`], customers: [customer(at, name)] } })).status).toBe(200);
    }
    expect(r.records("customer")).toEqual([expect.objectContaining({ display_name: "v2" })]);
    expect(r.batches.map((b) => b.decisions)).toEqual([["insert"], ["update"], ["stale"]]);
  });

  it("a redacted customer stays redacted when ingested again (as in the host)", async () => {
    const r = rt();
    await r.call(deliver, { body: { ids: ["d1"], customers: [customer("2026-01-01T00:00:00Z", "Ada")] } });
    await r.call(deliver, { body: { ids: ["d2"], redact: true } });
    await r.call(deliver, { body: { ids: ["d3"], customers: [customer("2026-02-01T00:00:00Z", "Ada again")] } });
    expect(r.records("customer")).toEqual([]);
    expect(r.batches.at(-1)!.decisions).toEqual(["suppressed"]);
  });
});

describe("connectorTestRuntime: Webhooks", () => {
  it("a delivery processed once is a duplicate after; the replay ingests nothing", async () => {
    const r = rt();
    await r.call(deliver, { body: { ids: ["shopify:webhook:1"], customers: [customer(undefined, "first")] } });
    const replay = await r.call(deliver, { body: { ids: ["shopify:webhook:1"], customers: [customer(undefined, "replayed")] } });
    expect(await replay.json()).toEqual({ duplicate: true });
    expect(r.batches).toHaveLength(1);
    expect(r.records("customer")).toEqual([expect.objectContaining({ display_name: "first" })]);
    expect(r.processedDeliveries()).toEqual(["shopify:webhook:1"]);
  });

  it("a route that fails does not mark its delivery: the provider's retry is processed", async () => {
    const r = rt();
    expect((await r.call(deliver, { body: { ids: ["d1"], customers: [customer(undefined, "x")], status: 500 } })).status).toBe(500);
    expect(r.processedDeliveries()).toEqual([]);
    expect(await (await r.call(deliver, { body: { ids: ["d1"], customers: [customer(undefined, "x")] } })).json()).toEqual({ ok: true });
    expect(r.records("customer")).toHaveLength(1);
  });

  it("any of several ids known makes the delivery a duplicate", async () => {
    const r = rt({ processedDeliveries: ["event:9"] });
    expect(await (await r.call(deliver, { body: { ids: ["webhook:new", "event:9"] } })).json()).toEqual({ duplicate: true });
  });

  it("ids are forgotten after the retention window", async () => {
    let now = Date.parse("2026-03-01T00:00:00Z");
    const r = rt({ now: () => now, processedDeliveries: ["d1"] });
    now += WEBHOOK_DELIVERY_RETENTION_MS + 1;
    expect(await (await r.call(deliver, { body: { ids: ["d1"] } })).json()).toEqual({ ok: true });
  });

  it.each([[""], ["a b"], ["x".repeat(257)], [[]], [42]])("refuses the delivery id %j with invalid_request", async (id) => {
    const r = rt();
    const route = api(() => api.json({ seen: Webhooks.alreadyProcessed(id as string) }));
    const response = await r.call(route);
    expect(response.status).toBe(500);
    expect(await response.json()).toMatchObject({ error: { code: "invalid_request", message: expect.stringContaining("delivery id") } });
  });
});

describe("raw body bytes", () => {
  it("gives the route the exact bytes, and text and JSON beside them", () => {
    const bytes = new Uint8Array([0xef, 0xbb, 0xbf, ...new TextEncoder().encode('{"a":"caf'), 0xe9, ...new TextEncoder().encode('"}')]);
    const request = normalizeRouteInput({ rawBodyBytes: bytes, headers: { "Content-Type": "application/json" } });
    expect([...request.rawBodyBytes]).toEqual([...bytes]);
    expect(request.rawBody.startsWith("\uFEFF")).toBe(true);
    expect(request.body).toEqual({ a: "caf\uFFFD" });
  });

  it("a text body is sent as its UTF-8 bytes", () => {
    expect(Buffer.from(normalizeRouteInput({ rawBody: "é" }).rawBodyBytes).toString("hex")).toBe("c3a9");
  });
});
