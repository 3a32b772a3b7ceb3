// The auth-webhook sender on the host's one HTTP stack (undici `request` on a dispatcher from
// src/http/dispatcher.ts, not global fetch): credentials in the operator's URL are sent as Basic
// auth and never written to the outbox or the log; a redirect is an answer, never followed; an
// unreachable receiver is recorded with the host's error wording. Real HTTP on 127.0.0.1, real SQLite.
import { Writable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startAuthWebhookDeliverer } from "../../src/events/auth-webhooks.js";
import { createHostLogger } from "../../src/app/logger.js";
import { startServer, type TestServer } from "../runner/support.js";
import { SQLITE_TARGET, storeOpener } from "../store-targets.js";

const SECRET = "whsec_sender_canary_5b1e";
const PASSWORD = "url-password-canary-7f3a";

let receiver: TestServer;
let elsewhere: TestServer;

beforeAll(async () => {
  elsewhere = await startServer((_req, res) => res.writeHead(204).end());
  receiver = await startServer((req, res) => {
    if (req.url === "/moved") return void res.writeHead(307, { location: `${elsewhere.base}/hook` }).end();
    const expected = `Basic ${Buffer.from(`operator:${PASSWORD}`).toString("base64")}`;
    res.writeHead(req.url === "/basic" && req.headers.authorization !== expected ? 401 : 204).end();
  });
});

afterAll(async () => {
  await receiver.close();
  await elsewhere.close();
});

const openStore = storeOpener();
/** The store's clock: next_attempt_at is computed from it. */
const NOW = 1_790_000_000_000;

async function deliverOnce(url: string) {
  let logs = "";
  const logger = createHostLogger({
    level: "debug",
    destination: new Writable({
      write(chunk: Buffer, _enc, cb) {
        logs += chunk.toString("utf8");
        cb();
      },
    }),
  });
  const { store } = await openStore(await SQLITE_TARGET.create(), () => NOW);
  await store.authWebhookDeliveries.insert({ event_id: "evt_1", event_type: "connection.created", connection_id: null, payload_json: JSON.stringify({ id: "evt_1" }) });
  // Polls off (a year): the test drives the deliverer itself.
  const deliverer = startAuthWebhookDeliverer({ store, config: { url, secret: SECRET }, logger, pollMs: 2 ** 31 - 1, requestTimeoutMs: 5_000 });
  try {
    await deliverer.deliverDue();
  } finally {
    await deliverer.stop();
  }
  const [row] = await store.authWebhookDeliveries.list({ limit: 10 });
  return { row: row!, logs: () => logs };
}

describe("auth-webhook sender", () => {
  it("sends a password in the URL as Basic auth", async () => {
    const url = new URL(`${receiver.base}/basic`);
    url.username = "operator";
    url.password = PASSWORD;
    const { row } = await deliverOnce(url.href);
    expect(row).toMatchObject({ status: "delivered", attempts: 1, last_status_code: 204 });
    expect(receiver.requests.at(-1)!.url).toBe("/basic");
  });

  it("never writes the URL's password to the outbox or the log when the receiver is unreachable", async () => {
    const closed = await startServer((_req, res) => res.end());
    await closed.close();
    const url = new URL(`${closed.base}/hook?key=query-canary-91d2`);
    url.username = "operator";
    url.password = PASSWORD;
    const { row, logs } = await deliverOnce(url.href);
    // The first retry waits the policy's base: 2 s, no jitter.
    expect(row).toMatchObject({ status: "pending", attempts: 1, last_status_code: null, next_attempt_at: NOW + 2_000 });
    expect(row.last_error).toContain("request failed (ECONNREFUSED)");
    for (const text of [row.last_error ?? "", logs()]) {
      expect(text).not.toContain(PASSWORD);
      expect(text).not.toContain("query-canary-91d2");
      expect(text).not.toContain(SECRET);
    }
  });

  it("records a redirect as the answer and sends nothing to its Location", async () => {
    const before = elsewhere.requests.length;
    const { row } = await deliverOnce(`${receiver.base}/moved`);
    expect(row).toMatchObject({ status: "pending", attempts: 1, last_status_code: 307, last_error: "answered 307" });
    expect(elsewhere.requests.length).toBe(before);
  });
});
