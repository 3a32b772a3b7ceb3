// A stored checkpoint of the wrong shape (corrupted, tampered with) is refused before any of
// it reaches Square: 500 checkpoint_invalid naming the fields, no request, nothing written.
import { describe, expect, it } from "vitest";
import { POST as orders } from "../src/api/sync/orders.js";
import { POST as refunds } from "../src/api/sync/refunds.js";
import { POST as customers } from "../src/api/sync/customers.js";
import type { ErrorBody } from "@backfill-io/sdk";
import { json, squareRuntime, expectNoLeaksAfterEach } from "./helpers.js";

expectNoLeaksAfterEach();

const CANARY = "CANARY_tampered_location_3b7c";

describe("tampered checkpoints", () => {
  it("orders: batches whose location ids are not a list never reach SearchOrders", async () => {
    const tampered = { passStartedAt: "2024-07-01T12:00:00.000Z", batches: [{ locationIds: CANARY }], batchIndex: 0, cursor: "c1" };
    const runtime = squareRuntime({ checkpoints: { orders: tampered } });
    const response = await runtime.call(orders);
    expect(response.status).toBe(500);
    const body = await json<ErrorBody>(response);
    expect(body.error).toMatchObject({ code: "checkpoint_invalid" });
    expect(body.error.message).toMatch(/batches\.0\.locationIds/);
    expect(JSON.stringify(body)).not.toContain(CANARY);
    expect(runtime.http.calls).toEqual([]);
    expect(runtime.checkpoint("orders")).toEqual(tampered);
    expect(runtime.records("sales_receipt")).toEqual([]);
  });

  it("refunds: a page-in-progress count that is not a number is refused, not compared as text", async () => {
    const tampered = { passStartedAt: "2024-07-01T12:00:00.000Z", pageDone: "2", pageDoneId: "R1" };
    const runtime = squareRuntime({ checkpoints: { refunds: tampered } });
    const response = await runtime.call(refunds);
    expect(response.status).toBe(500);
    expect((await json<ErrorBody>(response)).error).toMatchObject({ code: "checkpoint_invalid" });
    expect(runtime.http.calls).toEqual([]);
    expect(runtime.checkpoint("refunds")).toEqual(tampered);
  });

  it("customers: a cursor that is not text is refused", async () => {
    const runtime = squareRuntime({ checkpoints: { customers: { cursor: { $where: "1" } } } });
    const response = await runtime.call(customers);
    expect(response.status).toBe(500);
    expect((await json<ErrorBody>(response)).error).toMatchObject({ code: "checkpoint_invalid" });
    expect(runtime.http.calls).toEqual([]);
  });
});
