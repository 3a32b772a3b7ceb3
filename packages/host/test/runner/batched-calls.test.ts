// The calls that answer nothing the route could not compute (Checkpoint.set, log, ingest)
// travel with the route's next blocking call or with its answer: fewer round trips, the same
// order, the same staged page, and the host's checks still applied to every one of them.
import { serialize } from "node:v8";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { defaultRedactor } from "@backfill-io/sdk";
import { RouteRunner, createUndiciTransport, DEFAULT_HTTP_LIMITS } from "../../src/runner/index.js";
import { RouteSession } from "../../src/runner/session.js";
import type { DeferredCall } from "../../src/runner/protocol.js";
import { CANARY_SECRET, DEMO_DIR, customerPages, fakeServices, json, startServer, type TestServer } from "./support.js";

let server: TestServer;
let runner: RouteRunner;
const pages = customerPages(3, 2);

beforeAll(async () => {
  server = await startServer((req, res) => json(res, 200, pages(Number(new URL(req.url ?? "/", "http://x").searchParams.get("page") ?? 1))));
  runner = new RouteRunner({ routeTimeoutMs: 10_000 });
});

afterAll(async () => {
  await runner.close();
  await server.close();
});

describe("batched bridge calls", () => {
  it("a sync page crosses the bridge twice (Checkpoint.get, Http): ingest and Checkpoint.set travel with the answer", async () => {
    const services = fakeServices(server.port);
    await runner.runRoute({ connectorDir: DEMO_DIR, services, route: "/sync/customers" }); // warm the worker
    const before = runner.bridgeRoundTrips;
    const result = await runner.runRoute({ connectorDir: DEMO_DIR, services, route: "/sync/customers" });
    expect(runner.bridgeRoundTrips - before).toBe(2);
    expect(result.outcome).toBe("ok");
    expect(JSON.parse(result.bodyText)).toMatchObject({ accepted: 2, rejected: 0, page: 1 });
    expect(result.staged.records.map((r) => r.idempotencyKey)).toEqual(["customer:c1", "customer:c2"]);
    expect(result.staged.checkpoints).toEqual([{ stream: "customers", state: { page: 2 }, hasMore: true }]);
    expect(result.staged).toMatchObject({ accepted: 2, rejected: 0 });
  });

  it("with its stream's checkpoint sent along (the sync engine), a page crosses the bridge once: Http", async () => {
    const services = fakeServices(server.port);
    // The host would answer page 1; the state sent with the invocation is what the route reads.
    services.checkpoints.set("customers", { page: 1 });
    await runner.runRoute({ connectorDir: DEMO_DIR, services, route: "/sync/customers" }); // warm the worker
    const before = runner.bridgeRoundTrips;
    const result = await runner.runRoute({ connectorDir: DEMO_DIR, services, route: "/sync/customers", checkpoints: { customers: { page: 2 } } });
    expect(runner.bridgeRoundTrips - before).toBe(1);
    expect(JSON.parse(result.bodyText)).toMatchObject({ accepted: 2, page: 2 });
    expect(result.staged.checkpoints).toEqual([{ stream: "customers", state: { page: 3 }, hasMore: true }]);
    // A stream sent as "no checkpoint yet" reads as none, not the host's.
    const first = await runner.runRoute({ connectorDir: DEMO_DIR, services, route: "/sync/customers", checkpoints: { customers: undefined } });
    expect(JSON.parse(first.bodyText)).toMatchObject({ page: 1 });
  });

  it("keeps the order of the calls, stages what was passed at the time, and the last checkpoint wins", async () => {
    const services = fakeServices(server.port);
    const result = await runner.runRoute({ connectorDir: DEMO_DIR, services, route: "/batched" });
    expect(result.outcome).toBe("ok");
    const body = JSON.parse(result.bodyText) as { result: { accepted: number; rejected: number }; present: boolean };
    // The route's ingest answer was computed on its side, by the policy the host applies.
    expect(body.result).toMatchObject({ accepted: 1, rejected: 1 });
    expect(body.present).toBe(true);
    expect(result.logs.map((l) => l.message)).toEqual(["first", "second", "third"]);
    expect(services.logged.map((l) => l.message)).toEqual(["first", "second", "third"]);
    expect(result.staged.records).toEqual([
      {
        kind: "customer",
        stream: "customers",
        idempotencyKey: "customer:b1",
        payload: expect.objectContaining({ customer_id: "b1", display_name: "Before" }),
        // Serialised when staged: the payload as ingested, not as the route changed it afterwards.
        canonical: { json: expect.stringContaining('"display_name":"Before"'), hash: expect.stringMatching(/^[0-9a-f]{64}$/) },
      },
    ]);
    expect(result.staged).toMatchObject({ accepted: 1, rejected: 1 });
    expect(result.staged.checkpoints).toEqual([{ stream: "customers", state: { page: 2 }, hasMore: false }]);
  });

  it("a route that throws after staging keeps its logs and answers 500 (the sync engine commits nothing of it)", async () => {
    const services = fakeServices(server.port);
    const result = await runner.runRoute({ connectorDir: DEMO_DIR, services, route: "/sync/stage-then-throw" });
    expect(result.status).toBe(500);
    // The route's own log line arrived (with the answer), before api()'s line about the failure.
    expect(result.logs[0]?.message).toBe("staged before throwing");
  });
});

describe("batched calls the route's side did not check (forged by route code that goes around the SDK)", () => {
  const session = () => new RouteSession(fakeServices(server.port), createUndiciTransport(), DEFAULT_HTTP_LIMITS, defaultRedactor());
  const deferred = (method: string, args: unknown[]): DeferredCall => ({ method: method as DeferredCall["method"], args: serialize(args) });

  it("refuses a call that is not one of the batchable ones (a secret read may not hide in a batch)", async () => {
    const s = session();
    await expect(s.handle({ id: 1, method: "getSetting", args: ["base_url"], deferred: [deferred("getSecret", ["api_key"])] })).rejects.toMatchObject({ code: "invalid_request" });
    expect(JSON.stringify(s.staged)).not.toContain(CANARY_SECRET);
  });

  it("checks a batched ingest as if it had come alone: a kind the manifest does not grant stages nothing", async () => {
    const s = session();
    await expect(
      s.runDeferred([deferred("ingest", ["sales_receipt", [{ idempotencyKey: "sales_receipt:1", payload: { receipt_id: "1" } }], { continueOnError: true }])]),
    ).rejects.toMatchObject({ code: "permission_denied" });
    expect(s.staged.records).toEqual([]);
    expect(s.staged.accepted).toBe(0);
  });

  it("checks a batched Checkpoint.set: a state that is not an object stages nothing", async () => {
    const s = session();
    await expect(s.runDeferred([deferred("setCheckpoint", ["customers", "page-2", { hasMore: true }])])).rejects.toMatchObject({ code: "invalid_request" });
    expect(s.staged.checkpoints).toEqual([]);
  });

  it("refuses arguments that are not serialised arrays", async () => {
    const s = session();
    await expect(s.runDeferred([{ method: "log", args: new Uint8Array([1, 2, 3]) }])).rejects.toMatchObject({ code: "invalid_request" });
    await expect(s.runDeferred([{ method: "log", args: ["info", "x"] as never }])).rejects.toMatchObject({ code: "invalid_request" });
    await expect(s.runDeferred("not a list")).rejects.toMatchObject({ code: "invalid_request" });
    expect(s.logs).toEqual([]);
  });

  it("refuses batched calls after the invocation ended", async () => {
    const s = session();
    s.close();
    await expect(s.runDeferred([deferred("log", ["info", "late"])])).rejects.toMatchObject({ code: "invocation_ended" });
    expect(s.logs).toEqual([]);
  });
});
