// The auth-webhook outbox read by two servers at once (two stores on one database: two
// processes, as far as the database can tell): every event is POSTed exactly once. Real
// HTTP receiver on 127.0.0.1, real SQLite and PostgreSQL 18.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AUTH_WEBHOOK_EVENT_ID_HEADER, startAuthWebhookDeliverer } from "../../src/events/auth-webhooks.js";
import { silentLogger } from "../../src/index.js";
import { startServer, type TestServer } from "../runner/support.js";
import { STORE_TARGETS, stopPostgresAfterAll, storeOpener } from "../store-targets.js";

const SECRET = "whsec_auth_claims_canary_0c9d";
const EVENTS = 30;

let receiver: TestServer;
const received: string[] = [];

beforeAll(async () => {
  receiver = await startServer((req, res) => {
    received.push(String(req.headers[AUTH_WEBHOOK_EVENT_ID_HEADER]));
    res.writeHead(204).end();
  });
});

afterAll(async () => {
  await receiver.close();
});

stopPostgresAfterAll();
const openStore = storeOpener();

describe.each(STORE_TARGETS)("auth-webhook outbox claims ($name)", (target) => {
  it("two deliverers draining one outbox at once send every event exactly once", async () => {
    received.length = 0;
    const database = await target.create();
    const first = await openStore(database);
    const second = await openStore(database);
    for (let i = 0; i < EVENTS; i++) {
      await first.store.authWebhookDeliveries.insert({
        event_id: `evt_${i}`,
        event_type: "connection.created",
        connection_id: null,
        payload_json: JSON.stringify({ id: `evt_${i}` }),
      });
    }
    const config = { url: `${receiver.base}/hook`, secret: SECRET };
    // Polls off (a year): the test drives both deliverers itself.
    const deliverers = [first, second].map(({ store }) => startAuthWebhookDeliverer({ store, config, logger: silentLogger, pollMs: 2 ** 31 - 1 }));
    try {
      const delivered = await Promise.all(deliverers.map((d) => d.deliverDue()));
      expect(delivered[0]! + delivered[1]!).toBe(EVENTS);
      expect(received.slice().sort()).toEqual(Array.from({ length: EVENTS }, (_, i) => `evt_${i}`).sort());
      const rows = await first.store.authWebhookDeliveries.list({ limit: 1000 });
      expect(rows.every((r) => r.status === "delivered" && r.attempts === 1)).toBe(true);
    } finally {
      await Promise.all(deliverers.map((d) => d.stop()));
    }
  }, 60_000);
});
