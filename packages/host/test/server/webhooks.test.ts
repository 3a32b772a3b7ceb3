// Webhooks through the real host server (Hono on 127.0.0.1, worker threads, SQLite):
// signatures over the exact bytes (a BOM, Latin-1), deduplicated deliveries committed
// atomically with the route's writes, and records never replaced by an older version.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startHostServer, type RunningServer } from "../../src/server/index.js";
import { commitStaged, DUPLICATE_DELIVERY } from "../../src/sync/commit.js";
import { emptyStaged } from "../../src/runner/staging.js";
import { json, startServer, type TestServer } from "../runner/support.js";
import { openSyncHost, type SyncHost } from "../sync/support.js";
import { connectionWithWebhookSecret, postDemoWebhook, signDemoWebhook } from "./signed-webhook.js";

const WEBHOOK_SECRET = "whsec_canary_demo_9c41f07b2e";

let provider: TestServer;
let sh: SyncHost;
let server: RunningServer;

beforeAll(async () => {
  provider = await startServer((_req, res) => json(res, 404, {}));
  sh = await openSyncHost(provider.port);
  server = await startHostServer({ host: sh.host, runner: sh.runner, port: 0 });
});

afterAll(async () => {
  await server.close();
  await sh.close();
  await provider.close();
  expect(readFileSync(join(sh.dataDir, "backfill.db")).includes(WEBHOOK_SECRET)).toBe(false);
});

const connection = () => connectionWithWebhookSecret(sh.host, provider.base, WEBHOOK_SECRET);
const sign = (bytes: Uint8Array, secret = WEBHOOK_SECRET) => signDemoWebhook(bytes, secret);
const utf8 = (text: string) => new TextEncoder().encode(text);

async function deliver(connectionId: string, deliveryId: string, bytes: Uint8Array, signature = sign(bytes)) {
  const { status, text } = await postDemoWebhook(server.url, connectionId, deliveryId, bytes, signature);
  expect(text).not.toContain(WEBHOOK_SECRET);
  return { status, body: JSON.parse(text) as Record<string, unknown> };
}

const customers = (...list: { id: string; name: string; at?: string }[]) =>
  utf8(JSON.stringify({ customers: list.map((c) => ({ customer_id: c.id, display_name: c.name, ...(c.at ? { provider_updated_at: c.at } : {}) })) }));

async function stored(connectionId: string) {
  const rows = await sh.host.store.records.list(connectionId, { includeTombstoned: true });
  return rows.map((r) => ({ key: r.idempotency_key, payload: r.payload as Record<string, unknown> | null }));
}

const deliveries = async (connectionId: string) =>
  (await sh.host.store.db.selectFrom("webhook_deliveries").select("delivery_id").where("connection_id", "=", connectionId).execute()).map((r) => r.delivery_id);

describe("webhook signatures over the raw bytes", () => {
  it("a correctly signed body with a UTF-8 BOM is accepted and ingested", async () => {
    const id = await connection();
    const bytes = new Uint8Array([0xef, 0xbb, 0xbf, ...customers({ id: "c1", name: "Ada" })]);
    const res = await deliver(id, "bom-1", bytes);
    expect(res).toEqual({ status: 200, body: { ok: true, accepted: 1, bytes: bytes.length } });
    expect(await stored(id)).toEqual([{ key: "customer:c1", payload: expect.objectContaining({ display_name: "Ada" }) }]);
  });

  it("a correctly signed body that is not UTF-8 (Latin-1 bytes) is accepted over its exact bytes", async () => {
    const id = await connection();
    // "Zoë" in Latin-1: 0xEB is not valid UTF-8, so any decode-and-re-encode changes the bytes.
    const bytes = Buffer.from(JSON.stringify({ customers: [{ customer_id: "c1", display_name: "Zo\u00eb" }] }), "latin1");
    const res = await deliver(id, "latin1-1", bytes);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ accepted: 1, bytes: bytes.length });
  });

  it("a body changed after signing is refused with 401: nothing stored, the delivery id not burnt", async () => {
    const id = await connection();
    const bytes = customers({ id: "c1", name: "Ada" });
    const forged = customers({ id: "c1", name: "Eve" });
    expect((await deliver(id, "d-1", forged, sign(bytes))).status).toBe(401);
    expect((await deliver(id, "d-1", bytes, sign(bytes, "another-secret-entirely"))).status).toBe(401);
    expect(await stored(id)).toEqual([]);
    expect(await deliveries(id)).toEqual([]);
    // The genuine delivery with the same id is still processed.
    expect((await deliver(id, "d-1", bytes)).body).toMatchObject({ accepted: 1 });
  });
});

describe("webhook deduplication", () => {
  it("a replay of a processed delivery answers 200 and does nothing", async () => {
    const id = await connection();
    await deliver(id, "dup-1", customers({ id: "c1", name: "Ada" }));
    const replay = await deliver(id, "dup-1", customers({ id: "c1", name: "Mallory" }, { id: "c2", name: "Eve" }));
    expect(replay).toEqual({ status: 200, body: { ok: true, duplicate: true } });
    expect(await stored(id)).toEqual([{ key: "customer:c1", payload: expect.objectContaining({ display_name: "Ada" }) }]);
    expect(await deliveries(id)).toEqual(["demo:delivery:dup-1"]);
  });

  it("a replayed redaction does not redact again what came back since (nothing done)", async () => {
    const id = await connection();
    await deliver(id, "r-1", utf8(JSON.stringify({ redact: "c1" })));
    await deliver(id, "r-2", customers({ id: "c2", name: "Bob" }));
    const replay = await deliver(id, "r-1", utf8(JSON.stringify({ redact: "c2" })));
    expect(replay.body).toEqual({ ok: true, duplicate: true });
    expect(await stored(id)).toEqual([{ key: "customer:c2", payload: expect.objectContaining({ display_name: "Bob" }) }]);
  });

  it("a route that fails after staging marks nothing: the provider's retry is processed", async () => {
    const id = await connection();
    const failing = utf8(JSON.stringify({ customers: [{ customer_id: "c1", display_name: "Ada" }], fail: true }));
    expect((await deliver(id, "f-1", failing)).status).toBe(500);
    expect(await deliveries(id)).toEqual([]);
    expect(await stored(id)).toEqual([]);
    expect((await deliver(id, "f-1", customers({ id: "c1", name: "Ada" }))).body).toMatchObject({ accepted: 1 });
    expect(await deliveries(id)).toEqual(["demo:delivery:f-1"]);
  });

  it("two copies of one delivery committed concurrently: the second writes nothing", async () => {
    const id = await connection();
    const staged = (name: string) => ({
      ...emptyStaged(),
      webhookDeliveries: ["demo:delivery:race"],
      records: [{ kind: "customer" as const, idempotencyKey: "customer:c1", payload: { customer_id: "c1", display_name: name } }],
    });
    expect(await commitStaged(sh.host.store, id, staged("first"), { defaultStream: "customers" })).toEqual({ committed: true });
    expect(await commitStaged(sh.host.store, id, staged("second"), { defaultStream: "customers" })).toEqual({ committed: false, reason: DUPLICATE_DELIVERY });
    expect(await stored(id)).toEqual([{ key: "customer:c1", payload: { customer_id: "c1", display_name: "first" } }]);
  });
});

describe("record versions through webhooks", () => {
  it("v1, v2, then v1 delivered again (a new delivery id): v2 stays stored", async () => {
    const id = await connection();
    await deliver(id, "v-1", customers({ id: "c1", name: "v1", at: "2026-01-01T00:00:00Z" }));
    await deliver(id, "v-2", customers({ id: "c1", name: "v2", at: "2026-01-02T00:00:00Z" }));
    expect((await deliver(id, "v-3", customers({ id: "c1", name: "v1", at: "2026-01-01T00:00:00Z" }))).status).toBe(200);
    expect(await stored(id)).toEqual([{ key: "customer:c1", payload: expect.objectContaining({ display_name: "v2" }) }]);
  });
});
