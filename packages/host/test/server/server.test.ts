import { request } from "node:http";
import { describe, expect, it } from "vitest";
import { demoServerBed } from "./support.js";

const bed = demoServerBed();

const auth = () => ({ authorization: `Bearer ${bed.key}` });

describe("server", () => {
  it("listens on 127.0.0.1 and answers health with request ids and secure headers", async () => {
    expect(bed.server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const res = await fetch(`${bed.server.url}/health`);
    expect(await res.json()).toEqual({ ok: true });
    expect(res.headers.get("x-request-id")).toBeTruthy();
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
  });

  it("guards api_key routes with a hashed host API key", async () => {
    const body = JSON.stringify({ action: "setting", name: "base_url" });
    const url = `${bed.server.url}/connections/${bed.connectionId}/routes/probe`;
    expect((await fetch(url, { method: "POST", body })).status).toBe(401);
    expect((await fetch(url, { method: "POST", body, headers: { authorization: "Bearer bfk_wrong" } })).status).toBe(401);
    const ok = await fetch(url, { method: "POST", body, headers: { ...auth(), "content-type": "application/json" } });
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual({ ok: true, value: bed.provider.base });
    const stored = await bed.sh.host.store.db.selectFrom("host_api_keys").select("key_hash").execute();
    expect(JSON.stringify(stored)).not.toContain(bed.key);
  });

  it("passes a webhook's raw body through unchanged, without an API key", async () => {
    const raw = '{"b": 2,  "a":1}';
    const url = `${bed.server.url}/connections/${bed.connectionId}/routes/webhook?topic=x`;
    // A client cannot choose the notification URL the route verifies signatures over.
    const res = await fetch(url, {
      method: "POST",
      body: raw,
      headers: { "x-signature": "sig", "content-type": "application/json", "x-backfill-notification-url": "https://evil.example.com/" },
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ rawBody: raw, signature: "sig", notificationUrl: url });
  });

  it("commits a successful route's staged records and serves the JSON API", async () => {
    const res = await fetch(`${bed.server.url}/connections/${bed.connectionId}/routes/sync/customers`, { method: "POST", headers: auth() });
    expect(res.status).toBe(200);
    await bed.sh.engine.sync(bed.connectionId, "customers");
    expect((await fetch(`${bed.server.url}/api/connections`)).status).toBe(401);
    const list = (await (await fetch(`${bed.server.url}/api/connections`, { headers: auth() })).json()) as { connections: { id: string }[] };
    expect(list.connections.map((c) => c.id)).toContain(bed.connectionId);
    const one = await fetch(`${bed.server.url}/api/connections/${bed.connectionId}`, { headers: auth() });
    expect(await one.json()).toMatchObject({ connection: { id: bed.connectionId, connector: "demo", status: "active" } });
    const records = (await (await fetch(`${bed.server.url}/api/records?entity=customer&connection=${bed.connectionId}`, { headers: auth() })).json()) as {
      records: { key: string }[];
    };
    expect(records.records.map((r) => r.key)).toEqual(["customer:c1", "customer:c2", "customer:c3", "customer:c4", "customer:c5", "customer:c6"]);
    const runs = (await (await fetch(`${bed.server.url}/api/runs?connection=${bed.connectionId}`, { headers: auth() })).json()) as { runs: { outcome: string }[] };
    expect(runs.runs[0]?.outcome).toBe("succeeded");
  });

  it("answers the auth-webhook delivery log in one shape: ISO 8601 times, nextAttemptAt while pending", async () => {
    const store = bed.sh.host.store;
    await store.authWebhookDeliveries.insert({ event_id: "evt_iso_1", event_type: "connection.created", connection_id: bed.connectionId, payload_json: "{}" });
    const row = (await store.authWebhookDeliveries.list({ connectionId: bed.connectionId })).find((r) => r.event_id === "evt_iso_1")!;
    const body = (await (await fetch(`${bed.server.url}/api/webhooks/deliveries?connection=${bed.connectionId}`, { headers: auth() })).json()) as { deliveries: unknown[] };
    expect(body.deliveries).toContainEqual({
      id: row.id,
      eventId: "evt_iso_1",
      type: "connection.created",
      connectionId: bed.connectionId,
      status: "pending",
      attempts: 0,
      lastStatusCode: null,
      lastError: null,
      createdAt: new Date(row.created_at).toISOString(),
      deliveredAt: null,
      nextAttemptAt: new Date(row.next_attempt_at).toISOString(),
    });
  });

  it("limits request bodies and answers 404 for unknown routes and connections", async () => {
    // The server answers 413 from Content-Length and may close before reading the body,
    // so read the status with node:http (fetch reports the early close as a failure).
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(`${bed.server.url}/connections/${bed.connectionId}/routes/webhook`, { method: "POST", headers: { "content-length": String(2 * 1024 * 1024) } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on("error", reject);
      req.write("x".repeat(64 * 1024));
    });
    expect(status).toBe(413);
    expect((await fetch(`${bed.server.url}/connections/${bed.connectionId}/routes/nope`, { method: "POST", headers: auth() })).status).toBe(404);
    expect((await fetch(`${bed.server.url}/connections/conn_missing/routes/probe`, { method: "POST", headers: auth() })).status).toBe(404);
  });

  it("starts OAuth only with a connect session for an installed connector, and never shows a client secret", async () => {
    expect((await fetch(`${bed.server.url}/oauth/start?connector=demo`, { redirect: "manual" })).status).toBe(401);
    const mint = (connectors: string[]) =>
      fetch(`${bed.server.url}/api/connect/sessions`, {
        method: "POST",
        headers: { ...auth(), "content-type": "application/json" },
        body: JSON.stringify({ connectors, endUser: { id: "u1" } }),
      });
    expect((await mint(["nope"])).status).toBe(404);
    const session = (await (await mint(["demo"])).json()) as { startUrl: string };
    const started = await fetch(session.startUrl, { redirect: "manual" });
    expect([302, 400]).toContain(started.status);
    const text = await started.text();
    expect(text).not.toMatch(/client_secret=[^[]/);
  });
});
